import EaselStore
import Foundation
import Synchronization

/// Keeps the leases of this node's running tasks alive: every third of the lease, one renewal of all of them
/// (`TaskStore.renewLeases`, a few writes for thousands of tasks) instead of a heartbeat task and a store write per
/// running task. When the store says a lease is no longer held (another node took the task over after this one
/// was presumed dead), the job holding it is cancelled and ends with `StoreError.leaseLost`.
final class LeaseKeeper: Sendable {
    private let store: any TaskStore
    private let lease: Duration
    private let held = Mutex<[TaskLease: LeaseWatch]>([:])

    init(store: any TaskStore, lease: Duration) {
        self.store = store
        self.lease = lease
    }

    /// Runs `body` while `lease` is renewed. When the lease is lost, `body` is cancelled, awaited, and
    /// `StoreError.leaseLost` is thrown.
    func holding<T: Sendable>(_ lease: TaskLease, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let watch = LeaseWatch()
        held.withLock { $0[lease] = watch }
        defer { _ = held.withLock { $0.removeValue(forKey: lease) } }
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask {
                defer { watch.end(lost: false) }
                return try await body()
            }
            if await watch.ended() {
                group.cancelAll()
                while (try? await group.next()) != nil {}
                throw StoreError.leaseLost
            }
            guard let value = try await group.next() else { throw CancellationError() }
            return value
        }
    }

    /// How many leases are being kept.
    var count: Int { held.withLock { $0.count } }

    /// Renews every held lease once and cancels the jobs whose lease was lost. A failed renewal is tried again on
    /// the next beat: the lease has two more beats of slack.
    func renew(now: Date = Date()) async {
        let leases = held.withLock { Array($0.keys) }
        guard !leases.isEmpty, let lost = try? await store.renewLeases(leases, until: now + lease.timeInterval) else { return }
        let watches = held.withLock { held in lost.compactMap { held[$0] } }
        for watch in watches { watch.end(lost: true) }
    }

    /// Renews every third of the lease until cancelled.
    func run() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: lease / 3)
            } catch {
                return
            }
            await renew()
        }
    }
}
