import EaselBlobs
import EaselMacros
import EaselStore
import Foundation
import Logging
import ServiceLifecycle

/// Deletes temporary outputs once their signed URLs have expired, and task records past their retention.
@MemberwiseInit
public struct Sweeper: Service {
    let store: any TaskStore
    let outbox: any NotificationOutbox
    let blobs: any BlobStore
    let settings: WorkerSettings
    let logger: Logger

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweep(now: Date())
            try? await gracefulShutdownOrSleep(settings.sweepInterval)
        }
    }

    /// One pass: expired blobs, then old records.
    public func sweep(now: Date) async {
        do {
            while true {
                let keys = try await store.expiredBlobs(before: now, limit: 200)
                if keys.isEmpty { break }
                for key in keys { try await blobs.delete(key: key) }
                try await store.forgetBlobs(keys)
            }
            for (dialect, retention) in settings.taskRetention {
                let purged = try await store.purgeTasks(finishedBefore: now - retention.timeInterval, dialect: dialect)
                if purged > 0 { logger.info("purged old tasks", metadata: ["dialect": "\(dialect)", "count": "\(purged)"]) }
            }
            try await outbox.purgeNotifications(before: now - settings.notificationRetention.timeInterval)
            try await store.purgeSessions(before: now - settings.sessionDedupWindow.timeInterval)
            if let rates = store as? any CreateRateCounter { try await rates.purgeRateWindows(before: now - 3600) }
            if let slots = store as? any ChannelSlotStore {
                let freed = try await slots.reclaimChannelSlots(now: now)
                if freed > 0 { logger.notice("freed channel slots of tasks that stopped running", metadata: ["count": "\(freed)"]) }
            }
        } catch {
            logger.error("sweep failed", metadata: ["error": "\(error)"])
        }
    }

    private func gracefulShutdownOrSleep(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }
}
