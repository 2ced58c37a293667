import EaselCore
import PostgresNIO

extension PostgresStore {
    /// Runs `write` in a group-commit batch (see `GroupCommit`) and returns what it made of the task: concurrent inserts
    /// share one transaction, so the rows every insert of a tenant touches (its queue row, the waiting counts, its
    /// usage row) are locked and flushed once per batch instead of once per insert, which made one app's creates
    /// wait for each other's WAL flush.
    func batched(_ write: BatchedInsert) async throws -> InsertedTask {
        try await writeBatches.submit(write) { [self] writes in await commitBatch(writes) }
    }

    /// Commits a batch, first with its inserts written together (`PostgresQueueState.insertTogether`: a handful of
    /// statements, each a round trip on the batch's one connection, whatever the batch's size). Only when an insert
    /// failed in a way that aborted the transaction (an integrity violation, say a reused task id) is the batch run
    /// again one insert at a time with a savepoint around each, so that the failure is its own.
    private func commitBatch(_ writes: [BatchedInsert]) async -> [Result<InsertedTask, StoreError>] {
        do {
            do {
                return try await commitBatch(writes, isolatingWrites: false)
            } catch let error as StoreError where error == Self.isolationNeeded {
                return try await commitBatch(writes, isolatingWrites: true)
            }
        } catch {
            let failure = error as? StoreError ?? .unavailable(String(reflecting: error))
            return writes.map { _ in .failure(failure) }
        }
    }

    /// Thrown out of a batch without savepoints whose transaction an insert's own failure aborted.
    // A `StoreError` because `transaction` passes those through unchanged and maps every other error.
    private static let isolationNeeded = StoreError.unavailable("a write aborted its batch; the batch runs again with savepoints")

    private func commitBatch(_ writes: [BatchedInsert], isolatingWrites: Bool) async throws -> [Result<InsertedTask, StoreError>] {
        // Not cancelled with the leader: the batch carries other callers' writes. A deadlock with another node's
        // batch rolls the whole batch back, and `transaction` runs it again.
        try await transactionIgnoringCancellation(timeout: operationTimeout) { [defaultConcurrency] tx in
            let queue = PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency)
            // Every tenant of the batch in key order before any task row: two batches never wait for each other
            // in opposite orders.
            try await queue.lockTenants(Set(writes.map(\.tenant)))
            let (results, effects): ([Result<InsertedTask, StoreError>], BatchEffects)
            if writes.count > 1 && !isolatingWrites {
                do {
                    (results, effects) = try await queue.insertTogether(writes)
                } catch where Self.isOwnFailure(error) {
                    throw Self.isolationNeeded
                }
            } else {
                (results, effects) = try await Self.insertOneByOne(writes, in: queue, isolatingWrites: isolatingWrites)
            }
            try await effects.apply(in: tx)
            return results
        }
    }

    /// Inserts the batch's writes one after the other, each given what the earlier ones changed; with
    /// `isolatingWrites`, each inside a savepoint, so that an insert's own failure is rolled back alone.
    private static func insertOneByOne(_ writes: [BatchedInsert], in queue: PostgresQueueState,
                                       isolatingWrites: Bool) async throws -> ([Result<InsertedTask, StoreError>], BatchEffects) {
        let tx = queue.tx
        var effects = BatchEffects()
        var results: [Result<InsertedTask, StoreError>] = []
        for write in writes {
            if isolatingWrites { try await tx.run("SAVEPOINT easel_batched_write") }
            do {
                let (inserted, own) = try await queue.insertWaiting(write, earlier: effects)
                if isolatingWrites { try await tx.run("RELEASE SAVEPOINT easel_batched_write") }
                effects.merge(own)
                results.append(.success(inserted))
            } catch let error as StoreError where error == .duplicateSession && !isolatingWrites {
                // Refused before writing anything: the transaction is as it was.
                results.append(.failure(error))
            } catch where writes.count > 1 && isOwnFailure(error) {
                guard isolatingWrites else { throw isolationNeeded }
                try await tx.run("ROLLBACK TO SAVEPOINT easel_batched_write")
                results.append(.failure(error as? StoreError ?? .unavailable(String(reflecting: error))))
            }
        }
        return (results, effects)
    }

    /// Failures of one write that leave the transaction usable once rolled back to the write's savepoint: the store's
    /// own refusals (a duplicate session) and integrity violations.
    private static func isOwnFailure(_ error: any Error) -> Bool {
        if error is StoreError { return true }
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("23")
    }
}
