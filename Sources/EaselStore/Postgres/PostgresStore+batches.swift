import EaselCore
import PostgresNIO

extension PostgresStore {
    /// One write's work inside a batch's transaction, given what the batch's earlier writes changed; it returns a
    /// count (an insert's queue position) and its own changes to the shared counters (see `BatchEffects`).
    ///
    /// A write may refuse with `StoreError.duplicateSession` only before it has written anything, so that a batch
    /// without savepoints can go on past it.
    typealias BatchedWork = @Sendable (PostgresTransaction, _ earlier: BatchEffects) async throws -> (Int, BatchEffects)

    /// A write for a group-commit batch: its work and the tenant whose queue row it changes.
    struct BatchedWrite: Sendable {
        /// The tenant whose `queue_tenants` row the batch locks before any write runs.
        let tenant: Tenant
        let work: BatchedWork
    }

    /// Runs `work` in a group-commit batch (see `GroupCommit`): concurrent inserts share one transaction, so the rows
    /// every insert of a tenant touches (its queue row, the waiting counts, its usage row) are locked and flushed once
    /// per batch instead of once per insert, which made one app's creates wait for each other's WAL flush. `work`
    /// runs with `tenant`'s queue row locked.
    func batched(tenant: Tenant, _ work: @escaping BatchedWork) async throws -> Int {
        try await writeBatches.submit(BatchedWrite(tenant: tenant, work: work)) { [self] writes in await commitBatch(writes) }
    }

    /// Commits a batch, first without savepoints: a statement per write and a lock per tenant, each a round trip
    /// on the batch's one connection. Only when a write failed in a way that aborted the transaction (an integrity
    /// violation) is the batch run again with a savepoint around each write, so that the failure is its own.
    private func commitBatch(_ writes: [BatchedWrite]) async -> [Result<Int, StoreError>] {
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

    /// Thrown out of a batch without savepoints whose transaction a write's own failure aborted.
    // A `StoreError` because `transaction` passes those through unchanged and maps every other error.
    private static let isolationNeeded = StoreError.unavailable("a write aborted its batch; the batch runs again with savepoints")

    private func commitBatch(_ writes: [BatchedWrite], isolatingWrites: Bool) async throws -> [Result<Int, StoreError>] {
        // Not cancelled with the leader: the batch carries other callers' writes. A deadlock with another node's
        // batch rolls the whole batch back, and `transaction` runs it again.
        try await transactionIgnoringCancellation(timeout: operationTimeout) { [defaultConcurrency] tx in
            // Every tenant of the batch in key order before any task row: two batches never wait for each other
            // in opposite orders.
            try await PostgresQueueState(tx: tx, defaultConcurrency: defaultConcurrency).lockTenants(Set(writes.map(\.tenant)))
            var effects = BatchEffects()
            var results: [Result<Int, StoreError>] = []
            for write in writes {
                if isolatingWrites { try await tx.run("SAVEPOINT easel_batched_write") }
                do {
                    let (value, own) = try await write.work(tx, effects)
                    if isolatingWrites { try await tx.run("RELEASE SAVEPOINT easel_batched_write") }
                    effects.merge(own)
                    results.append(.success(value))
                } catch let error as StoreError where error == .duplicateSession && !isolatingWrites {
                    // Refused before writing anything: the transaction is as it was.
                    results.append(.failure(error))
                } catch where writes.count > 1 && Self.isOwnFailure(error) {
                    guard isolatingWrites else { throw Self.isolationNeeded }
                    try await tx.run("ROLLBACK TO SAVEPOINT easel_batched_write")
                    results.append(.failure(error as? StoreError ?? .unavailable(String(reflecting: error))))
                }
            }
            try await effects.apply(in: tx)
            return results
        }
    }

    /// Failures of one write that leave the transaction usable once rolled back to the write's savepoint: the store's
    /// own refusals (a duplicate session) and integrity violations.
    private static func isOwnFailure(_ error: any Error) -> Bool {
        if error is StoreError { return true }
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("23")
    }
}
