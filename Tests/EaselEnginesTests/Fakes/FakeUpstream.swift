import EaselCore
import EaselEngines
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The server plumbing every fake upstream shares: a Hummingbird app on 127.0.0.1 and an ephemeral port that hands
/// each request, body collected, to the fake's `respond` and records it; the fake itself only speaks its vendor's
/// wire format.
struct FakeUpstream: Sendable {
    /// `http://127.0.0.1:<port>`.
    let baseURL: String
    /// Every request received, in order.
    let log: FakeRequestLog

    /// Runs `body` against a fresh server answering with `respond`; the server is stopped afterwards whatever happens.
    static func run<T>(_ label: String, respond: @escaping @Sendable (FakeRequest) async throws -> FakeReply,
                       _ body: (FakeUpstream) async throws -> T) async throws -> T {
        let log = FakeRequestLog()
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .put, .delete] {
            for path in ["/", "**"] {
                router.on(RouterPath(path), method: method) { request, _ in
                    var request = request
                    let bytes = Array(try await request.collectBody(upTo: 64 << 20).readableBytesView)
                    let recorded = FakeRequest(request, body: bytes)
                    log.append(recorded)
                    return try await respond(recorded).response
                }
            }
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  continuation.yield(channel.localAddress?.port ?? 0)
                                  continuation.finish()
                              }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await app.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else { throw DidNotStart(label: label) }
            let result = try await body(FakeUpstream(baseURL: "http://127.0.0.1:\(port)", log: log))
            group.cancelAll()
            return result
        }
    }

    /// Like ``run(_:respond:_:)``, also handing `body` a live transport on a client of its own, which is shut down
    /// before the server stops so the server has no open connection to wait for.
    static func runWithClient<T>(_ label: String, respond: @escaping @Sendable (FakeRequest) async throws -> FakeReply,
                                 _ body: (FakeUpstream, UpstreamHTTP) async throws -> T) async throws -> T {
        try await run(label, respond: respond) { upstream in
            try await EngineHarness.withLiveHTTP { http in try await body(upstream, http) }
        }
    }

    /// Field-by-field differences between two JSON values (names, presence, JSON types and values), as
    /// `body.a.b is …, expected …` lines.
    static func diff(_ expected: JSONValue, _ actual: JSONValue, at path: String) -> [String] {
        if case .object(let want) = expected, case .object(let got) = actual {
            return Set(want.keys).union(got.keys).sorted().flatMap { key -> [String] in
                switch (want[key], got[key]) {
                case (nil, _): return ["\(path).\(key) is unexpected"]
                case (_, nil): return ["\(path).\(key) is missing"]
                case (let w?, let g?): return diff(w, g, at: "\(path).\(key)")
                }
            }
        }
        if case .array(let want) = expected, case .array(let got) = actual, want.count == got.count {
            return zip(want, got).enumerated().flatMap { diff($1.0, $1.1, at: "\(path)[\($0)]") }
        }
        return expected == actual ? [] : ["\(path) is \(actual), expected \(expected)"]
    }

    private struct DidNotStart: Error, CustomStringConvertible {
        let label: String
        var description: String { "\(label) did not start" }
    }
}

/// One request a fake received, with its body.
struct FakeRequest: Sendable {
    /// `GET`, `POST`, …
    var method: String
    /// The path, without the query.
    var path: String
    /// The raw query (empty when none).
    var query: String
    /// Header fields by lower-cased name; repeated fields are joined with `, `.
    var headers: [String: String]
    /// Header fields as received.
    var fields: HTTPFields
    /// The request's authority (the `Host` it was sent to).
    var authority: String?
    /// The body bytes.
    var body: [UInt8]

    init(_ request: Request, body: [UInt8]) {
        method = request.method.rawValue
        path = request.uri.path
        query = request.uri.query ?? ""
        fields = request.headers
        authority = request.head.authority
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        self.headers = headers
        self.body = body
    }

    /// The value of header `name` (case-insensitive).
    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as JSON, or nil.
    var json: JSONValue? { try? JSONValue.parse(body) }

    /// The query's parameters (percent-decoded; the last of repeated names wins).
    var queryItems: [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(string: "http://x/?" + query)?.queryItems ?? [] { items[item.name] = item.value ?? "" }
        return items
    }
}

/// What a fake answers: a status, header fields and body bytes sent verbatim.
struct FakeReply: Sendable, CustomStringConvertible {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    /// A reply of `bytes` with `type` as its Content-Type (no Content-Type when `type` is empty).
    init(status: Int, body: [UInt8], type: String = "application/json", headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.headers = type.isEmpty ? headers : ["Content-Type": type].merging(headers) { $1 }
    }

    /// A reply of JSON text and extra header fields, as tests script them.
    init(status: Int, body: String, headers: [String: String] = [:]) {
        self.init(status: status, body: Array(body.utf8), headers: headers)
    }

    /// A JSON reply.
    init(status: Int, json: JSONValue) {
        self.init(status: status, body: Array(json.encoded()))
    }

    /// A reply of JSON text.
    init(status: Int, json text: String) {
        self.init(status: status, body: Array(text.utf8))
    }

    /// A reply of `text`: JSON when it looks like JSON, plain text otherwise.
    init(status: Int, text: String) {
        self.init(status: status, body: Array(text.utf8), type: text.hasPrefix("{") ? "application/json" : "text/plain")
    }

    /// A reply of `text`.
    static func text(_ status: Int, _ text: String, type: String = "application/json", headers: [String: String] = [:]) -> Self {
        FakeReply(status: status, body: Array(text.utf8), type: type, headers: headers)
    }

    /// A reply of a JSON document.
    static func json(_ status: Int, _ value: JSONValue, type: String = "application/json", headers: [String: String] = [:]) -> Self {
        FakeReply(status: status, body: Array(value.encoded()), type: type, headers: headers)
    }

    var description: String { "HTTP \(status) \(String(decoding: body.prefix(200), as: UTF8.self))" }

    /// The Hummingbird response.
    var response: Response {
        var fields = HTTPFields()
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The requests a fake received, readable while it runs.
final class FakeRequestLog: Sendable {
    private let requests = Mutex<[FakeRequest]>([])

    func append(_ request: FakeRequest) { requests.withLock { $0.append(request) } }

    /// Every request so far.
    var all: [FakeRequest] { requests.withLock { $0 } }

    /// How many requests so far satisfy `matches`.
    func count(where matches: (FakeRequest) -> Bool) -> Int { requests.withLock { $0.filter(matches).count } }
}
