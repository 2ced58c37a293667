/// The parts of an incoming (or outgoing) HTTP request that Tencent request signatures cover.
///
/// Everything is kept raw: the query string exactly as it appeared on the request line, header values exactly as
/// received (a `Host` may carry a port, a path or even a scheme) and the body bytes as sent. Re-encoding any of
/// these would break signatures computed by real clients.
public struct SignableRequest: Sendable, Equatable {
    /// The HTTP method, upper-cased (`POST`, `GET`).
    public var method: String
    /// The query string exactly as received, without the leading `?`; empty when there is none.
    public var rawQuery: String
    /// Header values keyed by lower-cased header name.
    public var headers: [String: String]
    /// The raw body bytes.
    public var body: [UInt8]

    /// Creates a request, upper-casing `method` and lower-casing header names (values are kept verbatim; when
    /// two names differ only in case, the later one in iteration order wins).
    public init(method: String, rawQuery: String = "", headers: [String: String], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.rawQuery = rawQuery
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    /// The value of header `name` (matched case-insensitively), if present.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}
