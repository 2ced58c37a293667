import EaselCore
import Foundation
import Logging
@testable import EaselStore

/// The store implementations the contract suite runs against.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// Every kind that can run here: PostgreSQL when its server binaries are installed, and always under CI.
    static var available: [StoreKind] { PostgresTestCluster.isAvailable ? allCases : [.sqlite] }
}

/// A fresh, empty store of one kind, with the helpers the contract tests share.
struct StoreFixture: Sendable {
    typealias Store = EaselStorage

    let store: any Store
    let alice = Tenant(appId: 1, subAppId: 1)
    let bob = Tenant(appId: 2, subAppId: 2)
    private let lifetime: StoreLifetime?

    static let secrets = SecretBox(keyBytes: Array(repeating: 7, count: 32))

    /// The pool warns about queries made before its `run()` task started, which is expected here.
    static var quietLogger: Logger {
        var logger = Logger(label: "easel.test.postgres")
        logger.logLevel = .error
        return logger
    }

    init(_ kind: StoreKind, defaultConcurrency: Int = 10) throws {
        switch kind {
        case .sqlite:
            store = try SQLiteStore(path: Self.temporaryDirectory().appendingPathComponent("db.sqlite").path,
                                    secrets: Self.secrets, defaultConcurrency: defaultConcurrency)
            lifetime = nil
        case .postgres:
            // A fresh database per test, cloned from the migrated template, on the process's own cluster.
            let cluster = try PostgresTestCluster.shared()
            // The whole suite runs in parallel on two cores next to the cluster: a slow answer there is contention,
            // not an outage, so operations get longer than production's 5 s.
            let store = try PostgresStore(url: cluster.url(database: try cluster.createDatabase()), secrets: Self.secrets,
                                          defaultConcurrency: defaultConcurrency, operationTimeout: .seconds(30),
                                          logger: Self.quietLogger)
            // The contract tests make fixtures synchronously, so the pool runs in a task bound to the fixture's
            // lifetime instead of a task group (the Postgres-only tests use `PostgresNodes`, which does that).
            lifetime = StoreLifetime(Task { await store.run() })
            self.store = store
        }
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("easel-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    func makeTask(_ tenant: Tenant, priority: Int = 0, session: String? = nil, at date: Date = Date(), keyId: String? = nil,
                  model: (name: String, version: String) = ("GG", "2.5"), dialect: Dialect = .vod, id: TaskID? = nil) -> TaskRecord {
        TaskRecord(id: id ?? TaskID.make(for: dialect, tenant: tenant), tenant: tenant, dialect: dialect,
                   request: ImageRequest(modelName: model.name, modelVersion: model.version, prompt: "p"), priority: priority,
                   sessionId: session, sessionContext: nil, createdAt: date, keyId: keyId)
    }

    /// Inserts a new waiting task and returns it.
    @discardableResult
    func queued(_ tenant: Tenant, priority: Int = 0) async throws -> TaskRecord {
        let task = makeTask(tenant, priority: priority)
        try await store.insert(task, dedupSince: .distantPast)
        return task
    }

    /// Claims the single best task, if any.
    func claim(leaseFor seconds: TimeInterval = 60) async throws -> ClaimedTask? {
        try await store.claim(now: Date(), leaseUntil: Date() + seconds, limit: 1).first
    }

    /// Claims `task`'s turn and finishes it as `status` with `outbox`.
    func finish(_ claimed: ClaimedTask, status: TaskStatus = .succeeded, outputs: [TaskOutput] = [],
                outbox: [OutboxEntry] = []) async throws {
        var task = claimed.task
        task.status = status
        task.finishedAt = Date()
        task.progress = 100
        task.outputs = outputs
        try await store.finish(task, lease: claimed.lease, outbox: outbox)
    }
}

/// Stops a store's connection pool when the last copy of the fixture that owns it is gone.
final class StoreLifetime: Sendable {
    private let task: Task<Void, Never>

    init(_ task: Task<Void, Never>) {
        self.task = task
    }

    deinit { task.cancel() }
}
