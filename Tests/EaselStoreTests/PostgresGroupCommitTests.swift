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
        }
    }

    @Test func anIntegrityViolationFailsOnlyItsOwnInsert() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        let tenant = Tenant(appId: 4, subAppId: 4)
        @Sendable func task(id: TaskID) -> TaskRecord {
            TaskRecord(id: id, tenant: tenant, dialect: .vod,
                       request: ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "p"), priority: 0,
                       sessionId: nil, sessionContext: nil, createdAt: Date())
        }
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
}
