import EaselCore
import Foundation
import Synchronization

/// Runs a model on its channels in order: a retryable failure (rate limit honouring Retry-After, 5xx, timeout,
/// reset) is retried on the same channel with jittered backoff, then the next channel is tried; a non-retryable one
/// (bad request, safety block, auth) fails at once. A job resumed after a restart goes back to the channel that
/// holds its upstream task, so one attempt never becomes two paid upstream tasks.
public struct RoutedEngine: ImageEngine {
    /// A channel and the adapter that speaks to it.
    public struct Route: Sendable {
        /// The channel.
        public let channel: UpstreamChannel
        /// Its adapter.
        public let engine: any ImageEngine
        let limiter: ChannelLimiter
        /// The cluster's slots of this channel, when several nodes share a store.
        let slots: (any SharedChannelSlots)?

        /// Creates a route with its own concurrency cap; `slots` makes the cap hold across the nodes of a cluster.
        public init(channel: UpstreamChannel, engine: any ImageEngine, slots: (any SharedChannelSlots)? = nil) {
            self.init(channel: channel, engine: engine, limiter: ChannelLimiter(limit: channel.maxConcurrency), slots: slots)
        }

        // Routes of one channel share its limiter, so `max_concurrency` holds across all its models.
        init(channel: UpstreamChannel, engine: any ImageEngine, limiter: ChannelLimiter, slots: (any SharedChannelSlots)?) {
            self.channel = channel
            self.engine = engine
            self.limiter = limiter
            self.slots = slots
        }
    }

    public let name: String
    public let isSandbox: Bool
    /// Routes in failover order.
    public let routes: [Route]
    private let backoff: RetryPolicy
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates the engine for one model. `backoff` spaces retries on one channel.
    public init(routes: [Route], backoff: RetryPolicy = RetryPolicy(delays: [.seconds(1), .seconds(3), .seconds(9)]),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.routes = routes
        self.name = routes.map(\.channel.name).joined(separator: ",")
        self.isSandbox = routes.allSatisfy { $0.engine.isSandbox }
        self.backoff = backoff
        self.sleep = sleep
    }

    public var needsResolvedInputs: Bool { routes.contains { $0.engine.needsResolvedInputs } }

    /// Judged by the first channel, which runs the task unless it fails.
    public var enhancesPromptNatively: Bool { routes.first?.engine.enhancesPromptNatively ?? false }

    /// Refused only when no channel can run the request; channels that cannot are skipped at run time.
    public func unsupportedReason(for request: ImageRequest) -> String? {
        let reasons = routes.map { $0.engine.unsupportedReason(for: request) }
        return reasons.allSatisfy { $0 != nil } ? reasons.first ?? nil : nil
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        var lastError = EngineError(code: "InternalError", message: "No upstream channel serves this model.", isRetryable: false)
        let (ordered, resume) = order(for: job.resumeToken)
        var exhausted: String?
        for (position, route) in ordered.enumerated() where route.engine.unsupportedReason(for: job.request) == nil {
            if let from = exhausted {
                UpstreamMetrics.failover(from: from, to: route.channel.name)
                await job.log("failover from channel \(from) to \(route.channel.name)")
            }
            var channelJob = job
            channelJob.resumeToken = position == 0 ? resume : nil
            // Tokens carry the channel name so a restart finds the channel that owns the upstream task.
            let checkpoint = job.checkpoint
            let submitted = SubmittedID()
            channelJob.checkpoint = { [channel = route.channel.name, log = job.log] upstreamId in
                submitted.value.withLock { $0 = upstreamId }
                await checkpoint("\(channel)|\(upstreamId)")
                await log("upstream task \(upstreamId) on channel \(channel)")
            }
            for attempt in 1...max(route.channel.maxAttempts, 1) {
                do {
                    let attemptJob = channelJob
                    return try await route.limiter.run {
                        try await route.holdingSharedSlot(for: attemptJob) {
                            try await UpstreamMetrics.measure(channel: route.channel.name) {
                                try await route.engine.generate(attemptJob, progress: progress)
                            }
                        }
                    }
                } catch let error as EngineError {
                    lastError = error
                    guard error.isRetryable else { throw error }
                    // An upstream task already submitted on this channel is polled again, never submitted twice.
                    channelJob.resumeToken = submitted.value.withLock { $0 } ?? channelJob.resumeToken
                    guard attempt < route.channel.maxAttempts else { continue }
                    UpstreamMetrics.retrying(channel: route.channel.name, rateLimited: UpstreamMetrics.isRateLimit(error))
                    let wait = backoff.delay(afterAttempts: attempt).map { min(max(error.retryAfter ?? $0, $0), .seconds(60)) }
                    await job.log("channel \(route.channel.name) failed with \(error.code); retry \(attempt + 1) of "
                                  + "\(route.channel.maxAttempts)" + (wait.map { " in \($0)" } ?? ""))
                    if let wait { try await sleep(wait) }
                }
            }
            exhausted = route.channel.name
        }
        throw lastError
    }

    private func order(for token: String?) -> ([Route], String?) {
        guard let token, let bar = token.firstIndex(of: "|") else { return (routes, nil) }
        let channel = String(token[..<bar])
        let upstreamId = String(token[token.index(after: bar)...])
        guard let owner = routes.firstIndex(where: { $0.channel.name == channel }) else { return (routes, nil) }
        var ordered = routes
        ordered.insert(ordered.remove(at: owner), at: 0)
        return (ordered, upstreamId)
    }
}

/// The upstream id an attempt checkpointed, shared between the checkpoint closure and the retry loop.
final class SubmittedID: Sendable {
    let value = Mutex<String?>(nil)
}
