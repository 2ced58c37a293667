import Foundation

extension RoutedEngine.Route {
    /// Runs `body` holding one of the channel's cluster-wide slots, waiting (never failing) while all are held: waiting
    /// for capacity is not an upstream attempt. Without shared slots, or for a job that has no lease, `body` runs at
    /// once (the node's own limiter has already admitted it).
    func holdingSharedSlot<T: Sendable>(for job: EngineJob, _ body: @Sendable () async throws -> T) async throws -> T {
        guard let slots, let token = job.leaseToken else { return try await body() }
        let name = channel.name
        var pauseMilliseconds = 10
        var loggedWait = false
        while true {
            let slot: Int?
            do {
                slot = try await slots.acquire(channel: name, limit: channel.maxConcurrency, taskId: job.taskId, leaseToken: token)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // The store is unreachable: the task keeps waiting; if the outage outlasts its lease, the lease check
                // stops it and the task runs again later.
                slot = nil
            }
            if let slot {
                do {
                    let value = try await body()
                    await slots.release(channel: name, slot: slot, taskId: job.taskId, leaseToken: token)
                    return value
                } catch {
                    await slots.release(channel: name, slot: slot, taskId: job.taskId, leaseToken: token)
                    throw error
                }
            }
            if !loggedWait {
                loggedWait = true
                await job.log("waiting for a free slot of channel \(name) (max_concurrency \(channel.maxConcurrency) across nodes)")
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: pauseMilliseconds / 2...pauseMilliseconds)))
            pauseMilliseconds = min(pauseMilliseconds * 2, 500)
        }
    }
}
