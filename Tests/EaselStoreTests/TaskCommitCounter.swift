import GRDB
import Synchronization

/// Counts the committed write transactions that inserted or updated tasks, to see how writes were grouped.
final class TaskCommitCounter: TransactionObserver, Sendable {
    private struct State {
        var inserted = false
        var commits = 0
    }

    private let state = Mutex(State())

    /// Transactions committed with at least one task insert or update since the counter was installed.
    var commits: Int { state.withLock { $0.commits } }

    /// A counter observing `pool`'s writer; the pool keeps it only while the caller does.
    static func install(on pool: DatabasePool) async throws -> TaskCommitCounter {
        let counter = TaskCommitCounter()
        try await pool.write { db in db.add(transactionObserver: counter, extent: .observerLifetime) }
        return counter
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind {
        case .insert(tableName: "tasks"), .update(tableName: "tasks", _): true
        default: false
        }
    }

    func databaseDidChange(with event: DatabaseEvent) {
        state.withLock { $0.inserted = true }
    }

    func databaseDidCommit(_ db: Database) {
        state.withLock { state in
            if state.inserted { state.commits += 1 }
            state.inserted = false
        }
    }

    func databaseDidRollback(_ db: Database) {
        state.withLock { $0.inserted = false }
    }
}
