import EaselCore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The shared store for several nodes: PostgreSQL through postgres-nio's connection pool.
///
/// Every operation is one short transaction. Claims lock the chosen tenant's queue row with
/// `FOR UPDATE SKIP LOCKED`, so per-tenant limits are exact across nodes and claimers never wait for each other.
/// All nodes sharing a database must use the same `defaultConcurrency`.
///
/// Lifecycle: call `run()` in a long-running task (it drives the pool until that task is cancelled or the service
/// group shuts down), then `migrate()` once before serving requests.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let secrets: SecretBox
    let logger: Logger
    /// Running tasks per tenant unless `setConcurrency` overrides it.
    public let defaultConcurrency: Int
    /// How long one operation may take, waiting for a connection included, before it fails as unavailable.
    public let operationTimeout: Duration
    private let connectionErrors: ConnectionErrorRecorder
    let channelSlotBookkeeping = Mutex(ChannelSlotBookkeeping())
    /// Gathers concurrent task inserts into shared transactions (group commit).
    let writeBatches = GroupCommit<BatchedInsert, InsertedTask>(batchLimit: 64)

    /// Why the pool last failed to connect (the server's or the network's reason), if it has.
    public var lastConnectionFailure: String? { connectionErrors.lastFailure?.reason }

    /// Set once the server itself refused a connection (wrong password, unknown database or role): no retry helps.
    public var connectionRefusedByServer: String? {
        connectionErrors.lastFailure.flatMap { $0.refusedByServer ? $0.reason : nil }
    }

    /// Creates a store for `url` (`postgres://user:pass@host:port/db?sslmode=disable`, or with `?host=/socket/dir`
    /// for a unix socket). Nothing connects until `run()` drives the pool.
    public init(url: String, secrets: SecretBox, defaultConcurrency: Int = 1, operationTimeout: Duration = .seconds(5),
                logger: Logger = Logger(label: "easel.store.postgres")) throws {
        let configuration = try PostgresURL.configuration(from: url)
        let recorder = ConnectionErrorRecorder()
        // The pool retries connecting every few hundred milliseconds and logs each failure; the operator's log gets
        // warnings and worse, the recorder the failures (the node reports the reason once, at start or in errors).
        var quietHandler = logger.handler
        quietHandler.logLevel = max(logger.logLevel, .warning)
        let poolLogger = Logger(label: logger.label) { [quietHandler] _ in MultiplexLogHandler([quietHandler, recorder]) }
        self.client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
        self.connectionErrors = recorder
        self.secrets = secrets
        self.logger = logger
        self.defaultConcurrency = max(defaultConcurrency, 1)
        self.operationTimeout = operationTimeout
    }

    /// Drives the connection pool; returns when the calling task is cancelled (or, in a ServiceGroup, at graceful
    /// shutdown). Queries wait for a connection until it runs.
    public func run() async {
        await client.run()
    }

    /// Runs `body` in one transaction, mapping database failures to `StoreError.unavailable`. A transaction that
    /// PostgreSQL aborted as a deadlock victim (or a serialization failure) is run again, up to three times: it
    /// was rolled back whole, so running it again is safe.
    ///
    /// The whole operation, waiting for a connection included, is bounded by `timeout`: with the database gone the
    /// pool would otherwise keep a request waiting for about a minute, longer than any client waits for an answer.
    @discardableResult
    func transaction<T: Sendable>(timeout: Duration? = nil,
                                  _ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        try await mappingErrors { try await Self.bounded(by: timeout ?? operationTimeout) { [self] in
            var attempt = 1
            while true {
                do {
                    return try await client.withTransaction(logger: logger) { connection in
                        try await body(PostgresTransaction(connection: connection, logger: self.logger))
                    }
                } catch let error as PostgresTransactionError where attempt < 3 && Self.isRetryable(error) {
                    attempt += 1
                    logger.debug("retrying a transaction", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        } }
    }

    /// Runs `body`, or gives up with `StoreError.unavailable` after `timeout`, cancelling it without waiting for it:
    /// a query sent on a connection that stopped answering does not end when its task is cancelled.
    static func bounded<T: Sendable>(by timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withDeadline(timeout, timeoutError: { StoreError.unavailable("no answer from the database within \(timeout)") }, body)
    }

    private static func isRetryable(_ error: PostgresTransactionError) -> Bool {
        let state = ((error.closureError ?? error.commitError) as? PSQLError)?.serverInfo?[.sqlState]
        return state == "40P01" || state == "40001"
    }

    /// Runs `body` on a pooled connection without a transaction: for single statements, which are atomic anyway.
    @discardableResult
    func statement<T: Sendable>(_ body: @escaping @Sendable (PostgresTransaction) async throws -> T) async throws -> T {
        try await mappingErrors { try await Self.bounded(by: operationTimeout) {
            try await self.client.withConnection { connection in
                try await body(PostgresTransaction(connection: connection, logger: self.logger))
            }
        } }
    }

    private func mappingErrors<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresTransactionError {
            if let storeError = error.closureError as? StoreError { throw storeError }
            throw StoreError.unavailable(String(reflecting: error))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.unavailable(String(reflecting: error))
        }
    }

    /// Runs `body` in one transaction that completes even when the calling task is cancelled.
    ///
    /// postgres-nio gives up a connection lease or a query when its task is cancelled, which would lose a finished
    /// task's result or a release at shutdown. The transaction therefore runs in an unstructured task: it does not
    /// inherit the caller's cancellation, and awaiting its value does not forward a later one.
    @discardableResult
    func transactionIgnoringCancellation<T: Sendable>(
        timeout: Duration = .seconds(30), _ body: @escaping @Sendable (PostgresTransaction) async throws -> T
    ) async throws -> T {
        // By default 30 s: a finished task's result is worth waiting longer for than a request's read.
        try await Task { try await self.transaction(timeout: timeout, body) }.value
    }
}

/// One connection inside an open transaction, with the few query shapes the store uses.
struct PostgresTransaction: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// All rows of `query`.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// The first row of `query`, if any.
    func row(_ query: PostgresQuery) async throws -> PostgresRow? {
        try await rows(query).first
    }

    /// Runs a statement; returns how many rows it returned (statements that count changes end in `RETURNING 1`).
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> Int {
        try await rows(query).count
    }

    /// The first column of the first row, decoded as `T`.
    func scalar<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
        try await row(query).map { try $0.decode(T.self) }
    }
}

/// Parses libpq-style URLs into a pool configuration.
enum PostgresURL {
    static func configuration(from url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "")
        else { throw StoreError.unavailable("not a postgres:// URL") }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let username = components.user ?? query["user"] ?? "postgres"
        let password = components.password ?? query["password"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? query["dbname"] : path
        let port = components.port ?? query["port"].flatMap(Int.init) ?? 5432
        var configuration: PostgresClient.Configuration
        if let socketHost = query["host"], socketHost.hasPrefix("/") {
            // libpq names the socket's directory; a path to the socket file itself is taken as is.
            let socket = socketHost.contains(".s.PGSQL.") ? socketHost : socketHost + "/.s.PGSQL.\(port)"
            configuration = .init(unixSocketPath: socket, username: username, password: password, database: database)
        } else {
            let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? "localhost"
            configuration = .init(host: host, port: port, username: username, password: password, database: database,
                                  tls: try tls(sslmode: query["sslmode"] ?? "prefer"))
        }
        configuration.options.maximumConnections = query["pool_max"].flatMap(Int.init) ?? 20
        return configuration
    }

    // libpq's meanings: only verify-ca and verify-full check the server's certificate.
    private static func tls(sslmode: String) throws -> PostgresClient.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch sslmode {
        case "disable": return .disable
        case "allow", "prefer": return .prefer(unverified)
        case "require": return .require(unverified)
        case "verify-ca":
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .noHostnameVerification
            return .require(configuration)
        case "verify-full": return .require(.makeClientConfiguration())
        default: throw StoreError.unavailable("unknown sslmode \(sslmode)")
        }
    }
}
