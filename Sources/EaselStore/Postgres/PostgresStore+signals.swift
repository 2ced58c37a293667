import EaselCore
import Foundation
import PostgresNIO

/// LISTEN/NOTIFY on one channel. A notification is sent inside the transaction that caused it, so it is delivered
/// exactly when (and only if) that transaction commits.
extension PostgresStore: StoreSignals {
    static let signalChannel = "easel_signals"

    public func listen(_ handler: @escaping @Sendable (StoreSignal) -> Void) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.signalChannel) { notifications in
                        for try await notification in notifications {
                            if let signal = Self.signal(from: notification.payload) { handler(signal) }
                        }
                    }
                }
            } catch {
                // The connection dropped (or the database is away): polling covers the gap; listen again shortly.
                logger.debug("store signal listener reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Sends `signal` when `tx` commits.
    static func notify(_ signal: StoreSignal, in tx: PostgresTransaction) async throws {
        try await tx.run("SELECT 1 FROM pg_notify(\(signalChannel), \(payload(of: signal)))")
    }

    static func payload(of signal: StoreSignal) -> String {
        switch signal {
        case .queued: "queued"
        case .finished(let taskId, let tenant): "finished|\(tenant.appId)|\(tenant.subAppId)|\(taskId)"
        }
    }

    static func signal(from payload: String) -> StoreSignal? {
        let parts = payload.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        switch parts.first {
        case "queued": return .queued
        case "finished" where parts.count == 4:
            guard let appId = Int64(parts[1]), let subAppId = Int64(parts[2]) else { return nil }
            return .finished(taskId: TaskID(rawValue: String(parts[3])), tenant: Tenant(appId: appId, subAppId: subAppId))
        default: return nil
        }
    }
}
