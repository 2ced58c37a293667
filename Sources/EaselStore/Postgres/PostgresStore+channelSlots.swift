import EaselCore
import Foundation
import PostgresNIO
import Synchronization

extension PostgresStore: ChannelSlotStore {
    /// v5: one row per concurrency slot of each upstream channel, held by a running task under its lease token.
    static let channelSlotMigration: (version: Int, statements: [String]) = (5, [
        """
        CREATE TABLE channel_slots (
            channel text NOT NULL,
            slot bigint NOT NULL,
            task_id text,
            lease_token text,
            PRIMARY KEY (channel, slot)
        )
        """,
        "CREATE INDEX channel_slots_free ON channel_slots (channel, slot) WHERE task_id IS NULL",
        "CREATE INDEX channel_slots_held ON channel_slots (task_id) WHERE task_id IS NOT NULL",
    ])

    public func acquireChannelSlot(channel: String, limit: Int, taskId: TaskID, leaseToken: String,
                                   now: Date) async throws -> Int? {
        let limit = max(limit, 1)
        try await ensureSlots(channel: channel, limit: limit)
        if let slot = try await takeFreeSlot(channel: channel, limit: limit, taskId: taskId, leaseToken: leaseToken) {
            return slot
        }
        // Full: slots of tasks that stopped without giving theirs back (a node killed mid-call) are freed here, at
        // most once a second per channel and node, since it reads every held slot of the channel.
        guard channelSlotBookkeeping.withLock({ $0.mayReclaim(channel, at: now) }) else { return nil }
        guard try await reclaim(channel: channel, now: now) > 0 else { return nil }
        return try await takeFreeSlot(channel: channel, limit: limit, taskId: taskId, leaseToken: leaseToken)
    }

    public func releaseChannelSlot(channel: String, slot: Int, taskId: TaskID, leaseToken: String) async throws {
        try await transactionIgnoringCancellation { tx in
            try await tx.run("""
                UPDATE channel_slots SET task_id = NULL, lease_token = NULL
                WHERE channel = \(channel) AND slot = \(Int64(slot)) AND task_id = \(taskId) AND lease_token = \(leaseToken)
                """)
        }
    }

    @discardableResult
    public func reclaimChannelSlots(now: Date) async throws -> Int {
        try await reclaim(channel: nil, now: now)
    }

    public func channelSlotsHeld(channel: String) async throws -> Int {
        try await statement { tx in
            try await tx.scalar("SELECT COUNT(*) FROM channel_slots WHERE channel = \(channel) AND task_id IS NOT NULL",
                                as: Int.self) ?? 0
        }
    }

    // SKIP LOCKED: two nodes taking slots of one channel at once take different rows and never wait for each other.
    private func takeFreeSlot(channel: String, limit: Int, taskId: TaskID, leaseToken: String) async throws -> Int? {
        try await statement { tx in
            try await tx.scalar("""
                WITH free AS (
                    SELECT slot FROM channel_slots
                    WHERE channel = \(channel) AND slot < \(Int64(limit)) AND task_id IS NULL
                    ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
                )
                UPDATE channel_slots s SET task_id = \(taskId), lease_token = \(leaseToken)
                FROM free WHERE s.channel = \(channel) AND s.slot = free.slot
                RETURNING s.slot
                """, as: Int.self)
        }
    }

    // The rows `0..<limit` exist once any node has asked for them; each node inserts them once per channel.
    private func ensureSlots(channel: String, limit: Int) async throws {
        guard channelSlotBookkeeping.withLock({ $0.ensured[channel, default: 0] < limit }) else { return }
        try await statement { tx in
            try await tx.run("""
                INSERT INTO channel_slots (channel, slot)
                SELECT \(channel), generate_series(0, \(Int64(limit)) - 1) ON CONFLICT DO NOTHING
                """)
        }
        channelSlotBookkeeping.withLock { $0.ensured[channel] = max($0.ensured[channel, default: 0], limit) }
    }

    private func reclaim(channel: String?, now: Date) async throws -> Int {
        let cutoff = now.timeIntervalSince1970
        return try await statement { tx in
            try await tx.run("""
                UPDATE channel_slots s SET task_id = NULL, lease_token = NULL
                WHERE s.task_id IS NOT NULL AND (\(channel)::text IS NULL OR s.channel = \(channel))
                  AND NOT EXISTS (
                      SELECT 1 FROM tasks t
                      WHERE t.id = s.task_id AND t.lease_token = s.lease_token AND t.status = 'processing'
                        AND t.lease_until >= \(cutoff))
                RETURNING 1
                """)
        }
    }
}

/// Per node: which channels' slot rows it has made sure exist, and when it last reclaimed each channel's slots.
struct ChannelSlotBookkeeping {
    var ensured: [String: Int] = [:]
    var lastReclaim: [String: Date] = [:]

    mutating func mayReclaim(_ channel: String, at now: Date) -> Bool {
        if let last = lastReclaim[channel], now.timeIntervalSince(last) < 1 { return false }
        lastReclaim[channel] = now
        return true
    }
}
