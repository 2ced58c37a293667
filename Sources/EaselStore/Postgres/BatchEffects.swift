/// What the inserts of one group-commit batch change besides their own rows: the waiting counts, the usage rows,
/// and whether a task became a runnable head (so dispatchers on every node are woken). Gathered per insert, merged
/// only when the insert succeeded, and written once at the batch's end — after every tenant row and task row
/// the batch locks, so the counters stay last in `PostgresQueueState`'s lock order, and one upsert per counter row
/// serves the whole batch instead of one per insert.
struct BatchEffects: Sendable {
    /// Changes to `queue_totals` and `queue_counts`.
    var counts = WaitingCounts()
    /// Changes to `usage`.
    var usage = UsageChanges()
    /// Whether a `queued` signal is due.
    var wakesDispatchers = false

    /// Adds `other` to these.
    mutating func merge(_ other: BatchEffects) {
        counts.merge(other.counts)
        usage.merge(other.usage)
        wakesDispatchers = wakesDispatchers || other.wakesDispatchers
    }

    /// Writes them in `tx`.
    func apply(in tx: PostgresTransaction) async throws {
        try await counts.apply(in: tx)
        try await usage.apply(in: tx)
        if wakesDispatchers { try await PostgresStore.notify(.queued, in: tx) }
    }
}
