import PostgresNIO

extension PostgresStore {
    /// One write's work inside a batch's transaction, given what the batch's earlier writes changed; it returns a
    /// count (an insert's queue position) and its own changes to the shared counters (see `BatchEffects`).
    typealias BatchedWrite = @Sendable (PostgresTransaction, _ earlier: BatchEffects) async throws -> (Int, BatchEffects)

    /// Runs `work` in a group-commit batch (see `GroupCommit`): concurrent inserts share one transaction, so the rows
    /// every insert of a tenant touches (its queue row, the waiting counts, its usage row) are locked and flushed once
    /// per batch instead of once per insert, which made one app's creates wait for each other's WAL flush.
    func batched(_ work: @escaping BatchedWrite) async throws -> Int {
        try await writeBatches.submit(work) { [self] writes in await commitBatch(writes) }
    }

    private func commitBatch(_ writes: [BatchedWrite]) async -> [Result<Int, StoreError>] {
        do {
            // Not cancelled with the leader: the batch carries other callers' writes. A deadlock with another
            // node's batch rolls the whole batch back, and `transaction` runs it again.
            return try await transactionIgnoringCancellation(timeout: operationTimeout) { tx in
                var effects = BatchEffects()
                var results: [Result<Int, StoreError>] = []
                if writes.count == 1 {
                    let (value, own) = try await writes[0](tx, effects)
                    effects.merge(own)
                    results.append(.success(value))
                } else {
                    for write in writes {
                        try await tx.run("SAVEPOINT easel_batched_write")
                        do {
                            let (value, own) = try await write(tx, effects)
                            try await tx.run("RELEASE SAVEPOINT easel_batched_write")
                            effects.merge(own)
                            results.append(.success(value))
                        } catch where Self.isOwnFailure(error) {
                            try await tx.run("ROLLBACK TO SAVEPOINT easel_batched_write")
                            results.append(.failure(error as? StoreError ?? .unavailable(String(reflecting: error))))
                        }
                    }
                }
                try await effects.apply(in: tx)
                return results
            }
        } catch {
            let failure = error as? StoreError ?? .unavailable(String(reflecting: error))
            return writes.map { _ in .failure(failure) }
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
