import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// Create counts are the cluster's: two nodes counting in the same window see one total per tenant.
@Suite(.enabled(if: StoreKind.available.contains(.postgres)), .timeLimit(.minutes(1)))
struct PostgresRateTests {
    @Test func nodesShareOneCountPerTenantAndWindow() async throws {
        let database = try PostgresTestCluster.shared().createDatabase()
        let (alice, bob) = (Tenant(appId: 1, subAppId: 1), Tenant(appId: 2, subAppId: 2))
        try await withNodes(2, database: database, defaultConcurrency: 1) { nodes in
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 {
                    group.addTask { try await nodes[index % 2].countCreate(tenant: alice, windowStart: 1_000) }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(counts.sorted() == Array(1...20), "every create gets its own place in the window's count")
            #expect(try await nodes[1].countCreate(tenant: bob, windowStart: 1_000) == 1)
            #expect(try await nodes[0].countCreate(tenant: alice, windowStart: 1_001) == 1)
            try await nodes[0].purgeRateWindows(before: Date(timeIntervalSince1970: 1_001))
            #expect(try await nodes[1].countCreate(tenant: alice, windowStart: 1_000) == 1, "the old window was purged")
        }
    }
}
