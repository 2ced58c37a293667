import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// The admin search across apps: every filter, newest first, and keyset pages that neither skip nor repeat a task
/// while new tasks arrive between pages.
@Suite(.timeLimit(.minutes(2))) struct TaskSearchContractTests {
    static let start = Date(timeIntervalSince1970: 1_772_409_600)

    /// A named filter: the store's query and the same predicate over the tasks as the test knows them.
    struct Case: Sendable {
        let name: String
        let query: TaskQuery
        let matches: @Sendable (TaskRecord) -> Bool
    }

    static let carol = Tenant(appId: 1, subAppId: 7)

    static let cases: [Case] = [
        Case(name: "everything", query: TaskQuery()) { _ in true },
        Case(name: "app", query: TaskQuery(appId: 1)) { $0.tenant.appId == 1 },
        Case(name: "sub-app", query: TaskQuery(appId: 1, subAppId: 7)) { $0.tenant == carol },
        Case(name: "waiting", query: TaskQuery(statuses: [.waiting])) { $0.status == .waiting },
        Case(name: "ended", query: TaskQuery(statuses: [.succeeded, .aborted])) { [.succeeded, .aborted].contains($0.status) },
        Case(name: "model", query: TaskQuery(model: "GEM-3.0")) { $0.model == "GEM-3.0" },
        Case(name: "model name", query: TaskQuery(model: "GEM")) { $0.request.modelName == "GEM" },
        Case(name: "dialect", query: TaskQuery(dialect: .mps)) { $0.dialect == .mps },
        Case(name: "created", query: TaskQuery(createdFrom: start + 10, createdBefore: start + 30)) {
            $0.createdAt >= start + 10 && $0.createdAt < start + 30
        },
        Case(name: "id prefix", query: TaskQuery(idPrefix: "t_1")) { $0.id.rawValue.hasPrefix("t_1") },
        Case(name: "session prefix", query: TaskQuery(sessionIdPrefix: "s%[")) { $0.sessionId?.hasPrefix("s%[") == true },
        Case(name: "combined", query: TaskQuery(appId: 1, statuses: [.waiting, .succeeded], model: "GG")) {
            $0.tenant.appId == 1 && [.waiting, .succeeded].contains($0.status) && $0.request.modelName == "GG"
        },
    ]

    @Test(arguments: StoreKind.available) func everyFilterPagesOverEachTaskExactlyOnce(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind, defaultConcurrency: 100)
        // Every task in the store, newest first: the populated ones, then each arrival in front.
        var known = try await populate(fixture)
        var arrivals = 0
        for filter in Self.cases {
            let expected = known.filter(filter.matches).map(\.id)
            #expect(!expected.isEmpty, "\(filter.name) must match something to prove anything")
            var query = filter.query
            query.limit = 3
            var seen: [TaskID] = []
            while true {
                let page = try await fixture.store.searchTasks(query)
                #expect(page.tasks.count <= 3)
                #expect(page.tasks.allSatisfy(filter.matches), "\(filter.name): a task outside the filter")
                seen += page.tasks.map(\.id)
                guard let cursor = page.nextCursor else { break }
                // A newer task matching the filter arrives between pages; it belongs before the first page.
                arrivals += 1
                let template = try #require(page.tasks.last)
                let newer = fixture.makeTask(template.tenant, session: template.sessionId.map { $0 + "n\(arrivals)" },
                                             at: template.createdAt,
                                             model: (template.request.modelName, template.request.modelVersion),
                                             dialect: template.dialect, id: TaskID(rawValue: template.id.rawValue + "n\(arrivals)"))
                try await fixture.store.insert(newer, dedupKey: nil, dedupSince: .distantPast)
                known.insert(newer, at: 0)
                query.after = cursor
            }
            #expect(seen == expected, "\(filter.name)")
        }
    }

    @Test(arguments: StoreKind.available) func aPageIsNewestFirstAndTheLastHasNoCursor(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let tasks = [try await fixture.queued(fixture.alice), try await fixture.queued(fixture.bob)]
        let page = try await fixture.store.searchTasks(TaskQuery(limit: 2))
        #expect(page.tasks.map(\.id) == tasks.reversed().map(\.id) && page.nextCursor == nil)
        let first = try await fixture.store.searchTasks(TaskQuery(limit: 1))
        #expect(first.tasks.map(\.id) == [tasks[1].id])
        let cursor = try #require(first.nextCursor)
        let second = try await fixture.store.searchTasks(TaskQuery(after: cursor, limit: 1))
        #expect(second.tasks.map(\.id) == [tasks[0].id] && second.nextCursor == nil)
        #expect(try await fixture.store.searchTasks(TaskQuery(idPrefix: "nothing-")).tasks.isEmpty)
    }

    /// Inserts tasks across apps, models, dialects, creation times, sessions and states; returns them as stored,
    /// newest first.
    private func populate(_ fixture: StoreFixture) async throws -> [TaskRecord] {
        let tenants = [fixture.alice, fixture.bob, Self.carol]
        let models = [("GG", "2.5"), ("GEM", "3.0"), ("GEM", "2.5")]
        let sessions: [String?] = [nil, "s%[1", "s%x2", "sx[3", "s%[4"]
        var tasks: [TaskRecord] = []
        for index in 0..<24 {
            // Ids `t_1…` and `tx1…` tell a literal `_` from LIKE's wildcard; sessions do the same for `%` and `[`.
            let id = (index.isMultiple(of: 5) ? "tx" : "t_") + "\(index % 3)-\(index)"
            let task = fixture.makeTask(tenants[index % 3], session: sessions[index % 5], at: Self.start + Double(index * 2),
                                        model: models[(index / 3) % 3], dialect: index % 4 == 0 ? .mps : .vod, id: TaskID(rawValue: id))
            try await fixture.store.insert(task, dedupKey: nil, dedupSince: .distantPast)
            tasks.append(task)
        }
        let claimed = try await fixture.store.claim(now: Date(), leaseUntil: Date() + 60, limit: 12)
        for (index, task) in claimed.enumerated() where index < 8 {
            try await fixture.finish(task, status: index.isMultiple(of: 2) ? .succeeded : .failed)
        }
        _ = try await fixture.store.abort(id: tasks[23].id, tenant: tasks[23].tenant, at: Date()) { _ in [] }
        var stored: [TaskRecord] = []
        for task in tasks.reversed() {
            stored.append(try #require(try await fixture.store.task(id: task.id, tenant: nil)))
        }
        return stored
    }
}
