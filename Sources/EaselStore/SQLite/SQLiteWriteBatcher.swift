import GRDB

/// Group commit for SQLite's hot writes (task inserts and finishes), see `GroupCommit`: a batch is one GRDB write
/// transaction on the writer queue, each write in its own savepoint.
final class SQLiteWriteBatcher: Sendable {
    /// One write's work inside the batch's transaction; an insert returns what it made of its task, an update nil.
    typealias Work = @Sendable (Database) throws -> InsertedTask?

    private let batches: GroupCommit<Work, InsertedTask?>
    private let pool: DatabasePool

    init(pool: DatabasePool, batchLimit: Int = 128) {
        self.pool = pool
        batches = GroupCommit(batchLimit: batchLimit)
    }

    /// The most writes one transaction takes.
    var batchLimit: Int { batches.batchLimit }

    /// Writes waiting for a batch now (for tests and diagnostics).
    var waiting: Int { batches.waiting }

    /// Runs `work` in a batch and returns its result once the batch committed.
    @discardableResult
    func submit(ignoringCancellation: Bool = false, _ work: @escaping Work) async throws(StoreError) -> InsertedTask? {
        try await batches.submit(ignoringCancellation: ignoringCancellation, work) { [pool] writes in
            await Self.commit(writes, on: pool)
        }
    }

    /// Runs `writes` in one write transaction, each in its own savepoint, and returns their results in order.
    private static func commit(_ writes: [Work], on pool: DatabasePool) async -> [Result<InsertedTask?, StoreError>] {
        // `asyncWrite` ignores the leader's cancellation: the batch carries other callers' writes.
        let outcome: Result<[Result<InsertedTask?, StoreError>], any Error> = await withCheckedContinuation { continuation in
            pool.asyncWrite({ db in
                // Alone in its transaction a write needs no savepoint: its failure fails only itself anyway.
                if writes.count == 1 { return [.success(try writes[0](db))] }
                return try writes.map { write in try isolated(write, in: db) }
            }, completion: { _, result in continuation.resume(returning: result) })
        }
        switch outcome {
        case .success(let results):
            return results
        case .failure(let error):
            let failure = storeError(error)
            return writes.map { _ in .failure(failure) }
        }
    }

    /// Runs one write in a savepoint. Its own failure is its result; a failure that may have ended the transaction
    /// (or any failure once it ended) is thrown, failing the batch.
    private static func isolated(_ work: Work, in db: Database) throws -> Result<InsertedTask?, StoreError> {
        var inserted: InsertedTask?
        do {
            try db.inSavepoint {
                inserted = try work(db)
                return .commit
            }
            return .success(inserted)
        } catch let error where db.isInsideTransaction && isOwnFailure(error) {
            return .failure(storeError(error))
        }
    }

    /// Errors that concern one write only and leave the transaction usable.
    private static func isOwnFailure(_ error: any Error) -> Bool {
        if error is StoreError { return true }
        guard let error = error as? DatabaseError else { return false }
        let ownCodes: [ResultCode] = [.SQLITE_CONSTRAINT, .SQLITE_TOOBIG, .SQLITE_MISMATCH]
        return ownCodes.contains(error.resultCode)
    }

    /// The error a caller sees, as `SQLiteStore.write` maps it.
    private static func storeError(_ error: any Error) -> StoreError {
        error as? StoreError ?? .unavailable(String(reflecting: error))
    }
}
