import AsyncHTTPClient
import EaselCore
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange with an upstream, as plain values so adapters are testable against fakes and never touch
/// the client directly.
public struct UpstreamRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// Absolute URL.
    public var url: String
    /// Header fields in order.
    public var headers: [(String, String)]
    /// Body bytes.
    public var body: [UInt8]
    /// Deadline for the whole exchange.
    public var timeout: Duration
    /// Larger responses are refused (they are never buffered whole).
    public var maxResponseBytes: Int

    /// Creates a request.
    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = [],
                timeout: Duration = .seconds(120), maxResponseBytes: Int = 64 * 1024 * 1024) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// A JSON POST.
    public static func json(_ url: String, body: JSONValue, headers: [(String, String)] = [], timeout: Duration) -> Self {
        UpstreamRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")] + headers,
                        body: Array(body.encoded()), timeout: timeout)
    }
}

/// What an upstream answered.
public struct UpstreamResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Header fields.
    public var headers: [(String, String)]
    /// Body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// `Retry-After` (seconds) or `retry-after-ms`, when present.
    public var retryAfter: Duration? {
        if let ms = header("retry-after-ms").flatMap(Double.init) { return .milliseconds(Int(ms)) }
        if let seconds = header("retry-after").flatMap(Double.init) { return .milliseconds(Int(seconds * 1000)) }
        return nil
    }

    /// The body parsed as JSON, or nil.
    public var json: JSONValue? { try? JSONValue.parse(body) }
}

/// The transport adapters use: a struct of one closure, so tests can swap in a fake and production uses
/// async-http-client. Transport failures come out as retryable `EngineError`s.
public struct UpstreamHTTP: Sendable {
    /// Performs one exchange.
    public var send: @Sendable (UpstreamRequest) async throws -> UpstreamResponse

    /// Creates a transport.
    public init(send: @escaping @Sendable (UpstreamRequest) async throws -> UpstreamResponse) {
        self.send = send
    }

    /// The real transport on a shared client (which must not follow redirects blindly).
    public static func live(_ client: HTTPClient) -> UpstreamHTTP {
        UpstreamHTTP { request in
            var outgoing = HTTPClientRequest(url: request.url)
            outgoing.method = HTTPMethod(rawValue: request.method)
            for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
            if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
            let seconds = Int64(request.timeout.components.seconds)
            do {
                let response = try await client.execute(outgoing, timeout: .seconds(max(seconds, 1)))
                let body = try await response.body.collect(upTo: request.maxResponseBytes)
                return UpstreamResponse(status: Int(response.status.code),
                                        headers: response.headers.map { ($0.name, $0.value) },
                                        body: Array(body.readableBytesView))
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout
                        || error == .connectTimeout {
                throw EngineError(code: "TaskTimeout", message: "The upstream did not answer in time.", isRetryable: true)
            } catch let error as NIOTooManyBytesError {
                _ = error
                throw EngineError(code: "ModelGenerateFailed", message: "The upstream's answer was too large.", isRetryable: false)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw EngineError(code: "InternalError", message: "The upstream could not be reached.", isRetryable: true)
            }
        }
    }
}
