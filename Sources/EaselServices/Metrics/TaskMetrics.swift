import EaselCore
import Foundation
import Metrics

/// The task and delivery metrics, emitted through swift-metrics so that the worker knows no backend (the server
/// bootstraps Prometheus; without a bootstrap they go nowhere). Handles are made per event rather than kept, because a
/// handle made before `MetricsSystem.bootstrap` stays a no-op forever. Every label has a small, bounded set of values:
/// dialects, catalog models, engine names, outcomes — never a task id or a prompt.
public enum TaskMetrics {
    /// How a task ended, as `easel_tasks_finished_total{outcome}` tells it.
    public enum Outcome: String, Sendable {
        /// Its images were stored.
        case succeeded
        /// An engine, compliance or internal error ended it (or it ran out of attempts).
        case failed
        /// It was aborted while waiting.
        case aborted
    }

    /// How one delivery attempt went, as `easel_deliveries_total{outcome}` tells it.
    public enum DeliveryOutcome: String, Sendable {
        /// A receiver answered 2xx.
        case delivered
        /// It failed and is due again later.
        case retried
        /// It failed for the last time and was dead-lettered.
        case dead
    }

    /// The `model` label: `name-version` as the catalog spells it (`GEM-3.0`).
    public static func model(_ request: ImageRequest) -> String {
        "\(request.modelName)-\(request.modelVersion)"
    }

    /// A task was queued (a deduplicated retry that returned an earlier task is not counted).
    public static func taskCreated(_ task: TaskRecord) {
        Counter(label: "easel_tasks_created_total",
                dimensions: [("dialect", task.dialect.rawValue), ("model", model(task.request))]).increment()
    }

    /// A task reached a terminal state.
    public static func taskFinished(_ task: TaskRecord, outcome: Outcome) {
        Counter(label: "easel_tasks_finished_total",
                dimensions: [("dialect", task.dialect.rawValue), ("model", model(task.request)), ("outcome", outcome.rawValue)])
            .increment()
    }

    /// A task was claimed `claimedAt`: its wait in the queue is the time since it was created.
    public static func taskClaimed(_ task: TaskRecord, provider: String, claimedAt: Date) {
        Metrics.Timer(label: "easel_queue_wait_seconds", dimensions: [("model", model(task.request)), ("provider", provider)])
            .recordNanoseconds(nanoseconds(claimedAt.timeIntervalSince(task.createdAt)))
    }

    /// A run of a task ended with a recorded result after `duration` (claim to result).
    public static func taskRan(_ task: TaskRecord, provider: String, duration: Duration) {
        Metrics.Timer(label: "easel_task_run_seconds", dimensions: [("model", model(task.request)), ("provider", provider)])
            .record(duration: duration)
    }

    /// A task stored `count` images.
    public static func imagesProduced(_ task: TaskRecord, count: Int) {
        Counter(label: "easel_images_produced_total", dimensions: [("model", model(task.request))]).increment(by: count)
    }

    /// A delivery attempt ended.
    public static func deliveryAttempted(_ delivery: Delivery, outcome: DeliveryOutcome) {
        Counter(label: "easel_deliveries_total", dimensions: [("kind", delivery.format.rawValue), ("outcome", outcome.rawValue)])
            .increment()
    }

    private static func nanoseconds(_ interval: TimeInterval) -> Int64 {
        Int64((max(interval, 0) * 1e9).rounded())
    }
}
