import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// Group commit on PostgreSQL: concurrent inserts share transactions, yet each keeps the semantics of an insert of
/// its own (a duplicate session fails alone; positions are those of one serial order).
@Suite(.enabled(if: StoreKind.available.contains(.postgres)), .timeLimit(.minutes(1)))
struct PostgresGroupCommitTests {
    @Test func concurrentInsertsKeepTheirOwnOutcomes() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        let tenant = Tenant(appId: 3, subAppId: 3)
        try await withNodes(1, database: database, defaultConcurrency: 1) { nodes in
            let store = nodes[0]
            let outcomes = try await withThrowingTaskGroup(of: Result<Int, StoreError>.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        // Ten of them share one SessionId: exactly one may win.
                        let session = index < 10 ? "same" : "s\(index)"
                        let task = TaskRecord(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant, dialect: .vod,
                                              request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"),
                                              priority: 0, sessionId: session, sessionContext: nil, createdAt: Date())
                        do {
                            return .success(try await store.insert(task, dedupSince: .distantPast))
                        } catch let error as StoreError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: [Result<Int, StoreError>]()) { $0.append($1) }
            }
            let positions = outcomes.compactMap { try? $0.get() }
            #expect(positions.sorted() == Array(0..<51), "51 inserts, each with its own place in one serial order")
            let refused = outcomes.filter { if case .failure(.duplicateSession) = $0 { true } else { false } }
            #expect(refused.count == 9, "nine of the ten duplicates were refused, alone")
            #expect(try await store.claim(now: Date(), leaseUntil: Date() + 60, limit: 100).count == 1,
                    "the queue bookkeeping holds: the tenant's limit of one is kept")
            // At its limit now: inserts batched together say that nothing of the tenant can run.
            let runnable = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await store.enqueue(Self.task(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant),
                                                dedupKey: nil, dedupSince: .distantPast).isRunnable
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(runnable == Array(repeating: false, count: 20))
        }
    }

    @Test func anIntegrityViolationFailsOnlyItsOwnInsert() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        let tenant = Tenant(appId: 4, subAppId: 4)
        @Sendable func task(id: TaskID) -> TaskRecord { Self.task(id: id, tenant: tenant) }
        try await withNodes(1, database: database, defaultConcurrency: 1) { nodes in
            let store = nodes[0]
            let taken = TaskID.make(for: .vod, tenant: tenant)
            try await store.insert(task(id: taken), dedupSince: .distantPast)
            // Five of thirty concurrent inserts reuse a task id that exists: the unique index refuses them (a SQL
            // error inside the shared transaction, rolled back to that insert's savepoint), the others commit.
            let outcomes = try await withThrowingTaskGroup(of: Int?.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let id = index < 5 ? taken : TaskID.make(for: .vod, tenant: tenant)
                        return try? await store.insert(task(id: id), dedupSince: .distantPast)
                    }
                }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 5)
            #expect(outcomes.compactMap { $0 }.sorted() == Array(1...25), "positions behind the first task, one order")
        }
    }

    @Test func anInsertRolledBackForItsIdLeavesItsSessionFreeAndDuplicatesStayRefused() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        let tenant = Tenant(appId: 5, subAppId: 5)
        @Sendable func task(id: TaskID, session: String) -> TaskRecord { Self.task(id: id, tenant: tenant, session: session) }
        try await withNodes(1, database: database, defaultConcurrency: 1) { nodes in
            let store = nodes[0]
            let taken = TaskID.make(for: .vod, tenant: tenant)
            try await store.insert(task(id: taken, session: "first"), dedupSince: .distantPast)
            // In the same batches: five inserts that claim a session and then hit the unique task id (which makes
            // the batch run again with savepoints), ten that share one session, and plain ones.
            let outcomes = try await withThrowingTaskGroup(of: Result<Int, StoreError>.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let id = index < 5 ? taken : TaskID.make(for: .vod, tenant: tenant)
                        let session = index < 5 ? "lost\(index)" : index < 15 ? "same" : "s\(index)"
                        do {
                            return .success(try await store.insert(task(id: id, session: session), dedupSince: .distantPast))
                        } catch let error as StoreError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: [Result<Int, StoreError>]()) { $0.append($1) }
            }
            let refused = outcomes.filter { if case .failure(.duplicateSession) = $0 { true } else { false } }
            #expect(refused.count == 9, "nine of the ten sharing a session were refused")
            #expect(outcomes.filter { (try? $0.get()) == nil }.count == 14, "and the five reused ids failed")
            #expect(outcomes.compactMap { try? $0.get() }.sorted() == Array(1...26), "positions behind the first task, one order")
            let winner = try #require(try await store.taskId(sessionId: "same", tenant: tenant))
            #expect(try await store.task(id: winner, tenant: tenant) != nil, "the shared session names a stored task")
            for index in 0..<5 {
                #expect(try await store.taskId(sessionId: "lost\(index)", tenant: tenant) == nil,
                        "a failed insert's session claim was rolled back with it")
                try await store.insert(task(id: TaskID.make(for: .vod, tenant: tenant), session: "lost\(index)"),
                                       dedupSince: .distantPast)
            }
        }
    }

    @Test func eachInsertOfABatchJudgesItsSessionByItsOwnWindow() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        let tenant = Tenant(appId: 7, subAppId: 7)
        let hourAgo = Date() - 3600
        try await withNodes(1, database: database, defaultConcurrency: 1) { nodes in
            let store = nodes[0]
            for index in 0..<10 {
                var old = Self.task(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant, session: "s\(index)")
                old.createdAt = hourAgo
                try await store.insert(old, dedupSince: .distantPast)
            }
            // In shared batches: the even sessions are claimed again with a window that began after their claims
            // (free again), the odd ones with a window that holds them (duplicates); twenty more claim new sessions.
            let outcomes = try await withThrowingTaskGroup(of: (Int, Result<Int, StoreError>).self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let task = Self.task(id: TaskID.make(for: .vod, tenant: tenant), tenant: tenant, session: "s\(index)")
                        let since = index.isMultiple(of: 2) ? hourAgo + 1 : hourAgo - 1
                        do {
                            return (index, .success(try await store.insert(task, dedupSince: since)))
                        } catch let error as StoreError {
                            return (index, .failure(error))
                        }
                    }
                }
                return try await group.reduce(into: [Int: Result<Int, StoreError>]()) { $0[$1.0] = $1.1 }
            }
            let refused = outcomes.filter { if case .failure(.duplicateSession) = $0.value { true } else { false } }.keys
            #expect(refused.sorted() == [1, 3, 5, 7, 9])
            #expect(outcomes.compactMap { try? $0.value.get() }.sorted() == Array(10..<35), "behind the ten stored tasks")
        }
    }

    @Test func mixedPrioritiesInOneBatchGetThePositionsOfTheirSerialOrder() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        let tenants = [Tenant(appId: 5, subAppId: 5), Tenant(appId: 6, subAppId: 6)]
        try await withNodes(1, database: database, defaultConcurrency: 1) { nodes in
            let store = nodes[0]
            let answered = try await withThrowingTaskGroup(of: (TaskID, InsertedTask).self) { group in
                for index in 0..<90 {
                    group.addTask {
                        let task = TaskRecord(id: TaskID.make(for: .vod, tenant: tenants[index % 2]), tenant: tenants[index % 2],
                                              dialect: .vod, request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"),
                                              priority: index % 3 - 1, sessionId: nil, sessionContext: nil, createdAt: Date())
                        return (task.id, try await store.enqueue(task, dedupKey: nil, dedupSince: .distantPast))
                    }
                }
                return try await group.reduce(into: [TaskID: InsertedTask]()) { $0[$1.0] = $1.1 }
            }
            // Replaying the inserts in the order they were written gives exactly the positions they were answered.
            let rows = try await store.transaction { tx in
                try await tx.rows("SELECT id, priority FROM tasks ORDER BY seq").map { try $0.decode((String, Int).self) }
            }
            #expect(rows.count == 90)
            var waiting = [Int: Int]()
            for (id, priority) in rows {
                let inserted = answered[TaskID(rawValue: id)]
                #expect(inserted?.queuePosition == waiting.filter { $0.key >= priority }.values.reduce(0, +), "position of \(id)")
                waiting[priority, default: 0] += 1
            }
            #expect(answered.values.allSatisfy { $0.isRunnable }, "nothing was claimed: each app has room and a waiting head")
            let totals = try await store.transaction { tx in
                try await tx.rows("SELECT priority, waiting FROM queue_totals").map { try $0.decode((Int, Int).self) }
            }
            #expect(Dictionary(uniqueKeysWithValues: totals).filter { $0.value != 0 } == waiting, "the waiting counts, once per batch")
            let created = try await store.transaction { tx in
                try await tx.scalar("SELECT COALESCE(SUM(created), 0)::bigint FROM usage", as: Int.self)
            }
            #expect(created == 90)
            #expect(try await store.claim(now: Date(), leaseUntil: Date() + 60, limit: 100).count == 2,
                    "each tenant's head is runnable, one task each at its limit of one")
        }
    }

    /// A waiting VOD task of `tenant` at priority 0.
    private static func task(id: TaskID, tenant: Tenant, session: String? = nil) -> TaskRecord {
        TaskRecord(id: id, tenant: tenant, dialect: .vod,
                   request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"), priority: 0,
                   sessionId: session, sessionContext: nil, createdAt: Date())
    }
}
