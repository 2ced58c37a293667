import AsyncHTTPClient
import EaselCore
import EaselMacros
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP exchange with an upstream, as plain values so adapters are testable against fakes and never touch
/// the client directly.
@MemberwiseInit
public struct UpstreamRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// Absolute URL.
    public var url: String
    /// Header fields in order.
    public var headers: [(String, String)] = []
    /// Body bytes.
    public var body: [UInt8] = []
    /// Deadline for the whole exchange.
    public var timeout: Duration = .seconds(120)
    /// Larger responses are refused (they are never buffered whole).
    public var maxResponseBytes: Int = 64 * 1024 * 1024

    /// A JSON POST.
    public static func json(_ url: String, body: JSONValue, headers: [(String, String)] = [], timeout: Duration) -> Self {
        UpstreamRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")] + headers,
                        body: Array(body.encoded()), timeout: timeout)
    }
}

/// What an upstream answered.
@MemberwiseInit
public struct UpstreamResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Header fields.
    public var headers: [(String, String)] = []
    /// Body bytes.
    public var body: [UInt8] = []

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
@MemberwiseInit
public struct UpstreamHTTP: Sendable {
    /// Performs one exchange.
    public var send: @Sendable (UpstreamRequest) async throws -> UpstreamResponse

    /// The real transport on a shared client (which must not follow redirects blindly). Waiting for one of the
    /// client's pooled connections is local queueing, not an upstream failure: a request bounced out of the pool
    /// queue after `connectTimeout` goes back in, and the request's own timeout counts from the moment it is sent
    /// on a connection. A connection that cannot be made is `UpstreamFailure.unavailable()`, retryable.
    public static func live(_ client: HTTPClient) -> UpstreamHTTP {
        live(client, connectTimeout: UpstreamClientFactory.defaultConnectTimeout)
    }

    /// The real transport on a client made with `connectTimeout` as its connect timeout.
    public static func live(_ client: HTTPClient, connectTimeout: Duration) -> UpstreamHTTP {
        UpstreamHTTP { request in try await exchange(request, on: client, connectTimeout: connectTimeout) }
    }

    /// A transport that connects `host` only to `address`, on a short-lived client made for each exchange and shut
    /// down after it, so a second DNS answer can never redirect the connection elsewhere.
    public static func pinned(host: String, to address: String,
                              connectTimeout: Duration = UpstreamClientFactory.defaultConnectTimeout) -> UpstreamHTTP {
        UpstreamHTTP { request in
            let configuration = UpstreamClientFactory.pinnedConfiguration(host: host, address: address,
                                                                          connectTimeout: connectTimeout,
                                                                          readTimeout: request.timeout)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let result: Result<UpstreamResponse, any Error>
            do {
                result = .success(try await exchange(request, on: client, connectTimeout: connectTimeout))
            } catch {
                result = .failure(error)
            }
            try? await client.shutdown()
            return try result.get()
        }
    }

    static func exchange(_ request: UpstreamRequest, on client: HTTPClient, connectTimeout: Duration) async throws -> UpstreamResponse {
        let headers = HTTPHeaders(request.headers)
        let body: HTTPClient.Body? = request.body.isEmpty ? nil : .bytes(request.body)
        let outgoing: HTTPClient.Request
        do {
            outgoing = try HTTPClient.Request(url: request.url, method: HTTPMethod(rawValue: request.method), headers: headers,
                                              body: body)
        } catch {
            throw UpstreamFailure.unavailable()
        }
        let clock = ContinuousClock()
        let exchangeTimeout = max(request.timeout, .seconds(1))
        let queueingEnds = clock.now + max(exchangeTimeout, connectTimeout)
        while true {
            let delegate = TimedExchangeDelegate(request: outgoing, maxBodySize: request.maxResponseBytes,
                                                 timeout: TimeAmount(exchangeTimeout))
            // The exchange is timed by the delegate from the moment it is on a connection; this outer deadline only
            // adds the longest a queued request waits (`connectTimeout`) before the pool bounces it.
            let task = client.execute(request: outgoing, delegate: delegate,
                                      deadline: .now() + TimeAmount(exchangeTimeout + connectTimeout))
            do {
                let response = try await withTaskCancellationHandler {
                    try await task.futureResult.get()
                } onCancel: {
                    task.cancel()
                }
                return UpstreamResponse(status: Int(response.status.code),
                                        headers: response.headers.map { ($0.name, $0.value) },
                                        body: response.body.map { Array($0.readableBytesView) } ?? [])
            } catch let error as HTTPClientError where error == .getConnectionFromPoolTimeout {
                // Every connection was busy (ours, not the upstream's fault): queue again while the budget lasts.
                guard clock.now < queueingEnds else {
                    throw EngineError(code: "TaskTimeout", message: "No connection to the upstream became free in time.",
                                      isRetryable: true)
                }
                try Task.checkCancellation()
            } catch is TimedExchangeDelegate.TimedOut {
                throw EngineError(code: "TaskTimeout", message: "The upstream did not answer in time.", isRetryable: true)
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                throw EngineError(code: "TaskTimeout", message: "The upstream did not answer in time.", isRetryable: true)
            } catch is ResponseAccumulator.ResponseTooBigError {
                throw EngineError(code: "ModelGenerateFailed", message: "The upstream's answer was too large.", isRetryable: false)
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as HTTPClientError where error == .cancelled && Task.isCancelled {
                throw CancellationError()
            } catch {
                // Refused, unresolvable, connect timeout, TLS failure, reset: nothing about it is the client's to see.
                throw UpstreamFailure.unavailable()
            }
        }
    }
}
