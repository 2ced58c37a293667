/// Follows a task through the REST status route until it completes, showing each state, then reads its outcome.
/// Connection hiccups while polling (a restarting server) are retried for a while before giving up.
struct TaskWatcher: Sendable {
    let rest: RESTAPI
    let taskId: String
    let timeout: Duration
    var interval: Duration = .milliseconds(400)
    /// How long polling may keep failing to connect before the wait gives up.
    var outageAllowance: Duration = .seconds(15)

    /// Polls until the task completes; throws `CLIError.failed` when `timeout` passes first.
    func wait(initialQueuePosition: Int?, display: inout ProgressDisplay) async throws -> RESTAPI.Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        display.show(TaskProgress(phase: .waiting, queuePosition: initialQueuePosition, progress: 0), elapsed: .zero)
        var failingSince: ContinuousClock.Instant?
        while true {
            let state: TaskProgress
            switch await poll() {
            case .success(let polled):
                state = polled
                failingSince = nil
            case .failure(let error):
                // Only transport failures are retried; an answer from the server is final.
                let since = failingSince ?? clock.now
                failingSince = since
                guard error.exitCode == 2, clock.now - since < outageAllowance else { throw error }
                try await Task.sleep(for: interval)
                continue
            }
            display.show(state, elapsed: clock.now - start)
            if state.phase == .completed {
                let outcome = try await rest.outcome(taskId)
                if outcome.succeeded, state.progress != 100 {
                    display.show(TaskProgress(phase: .completed, queuePosition: nil, progress: 100), elapsed: clock.now - start)
                }
                return outcome
            }
            guard clock.now - start < timeout else {
                display.finish()
                throw CLIError.failed("task \(taskId) is still \(state.label) after \(timeout.components.seconds) s; "
                    + "follow it with `easel tasks show \(taskId)`.")
            }
            try await Task.sleep(for: interval)
        }
    }

    private func poll() async -> Result<TaskProgress, CLIError> {
        do {
            return .success(try await rest.progress(taskId))
        } catch {
            return .failure(error)
        }
    }
}
