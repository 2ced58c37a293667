import Logging
import Synchronization

/// Remembers the last reason the connection pool gave for failing to connect. The pool retries quietly, so a node
/// starting against a wrong host or password would otherwise only learn that no connection came; with this it fails
/// with the server's own reason (`connection refused`, `password authentication failed …`).
final class ConnectionErrorRecorder: LogHandler, Sendable {
    private let last = Mutex<(reason: String, refusedByServer: Bool)?>(nil)

    var metadata: Logger.Metadata {
        get { [:] }
        // The pool's own metadata travels with each message; nothing set here is needed.
        set { _ = newValue }
    }

    // Connection failures are logged at info; asking for more would open the pool's debug output for every handler.
    var logLevel: Logger.Level {
        get { .info }
        set { _ = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set { _ = newValue }
    }

    /// The last connection failure, shortened to its reason, and whether the server itself refused (bad password,
    /// unknown database or role), which no retry can fix, rather than the network.
    var lastFailure: (reason: String, refusedByServer: Bool)? { last.withLock { $0 } }

    func log(event: LogEvent) {
        guard let error = event.metadata?["psql_error"].map({ "\($0)" }) else { return }
        last.withLock { $0 = (Self.reason(error), error.contains("code: server")) }
    }

    // `PSQLError(code: server, serverInfo: [… message: role "x" does not exist, routine: …])` → the message;
    // `… error: connection reset (error set): Connection refused) (errno: 111)))` → `Connection refused`.
    static func reason(_ error: String) -> String {
        if let range = error.range(of: "message: ") {
            let rest = error[range.upperBound...]
            return String(rest.prefix { $0 != "," && $0 != "]" })
        }
        if let range = error.range(of: "): ", options: .backwards) {
            // NIO's IOError reads `connection reset (error set): Connection refused) (errno: 111)`.
            return String(error[range.upperBound...].prefix { $0 != ")" }.prefix(200))
        }
        return String(error.prefix(200))
    }
}
