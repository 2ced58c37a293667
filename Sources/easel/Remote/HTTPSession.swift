import AsyncHTTPClient
import EaselCore
import Foundation
import NIOCore
import NIOHTTP1

/// One server the CLI talks to: its base URL, the Bearer key it sends and an HTTP client that lives as long as the
/// command. Transport failures come out as `CLIError.connection` (exit 2) with one line naming the URL.
struct HTTPSession: Sendable {
    /// The server's base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    let baseURL: String
    /// The Bearer key, if any.
    let bearer: String?
    let client: HTTPClient

    /// Largest answer read into memory (images are at most a few tens of MB).
    static let maxBody = 256 * 1024 * 1024

    /// Validates `url`, runs `body` with a session and shuts the client down afterwards, whatever happens.
    static func with<T: Sendable>(url: String, bearer: String?,
                                  _ body: (HTTPSession) async throws -> T) async throws -> T {
        let base = try validatedBase(url)
        // A refused or unroutable address should fail in seconds, not after the default 10 s of retries.
        let configuration = HTTPClient.Configuration(redirectConfiguration: .follow(max: 3, allowCycles: false),
                                                     timeout: .init(connect: .seconds(5), read: .seconds(120)))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(HTTPSession(baseURL: base, bearer: bearer, client: client)))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return try result.get()
    }

    /// `url` without its trailing slash, if it is an absolute http(s) URL.
    static func validatedBase(_ url: String) throws(CLIError) -> String {
        let trimmed = url.trimmingWhitespace()
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil else {
            throw .usage("--url must be an http(s) URL such as http://127.0.0.1:8080, got `\(url)`.")
        }
        return trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
    }

    /// Sends a request to `path` (under the base URL) or to an absolute `http(s)://` URL and reads the whole answer.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
              contentType: String? = "application/json", timeout: Duration = .seconds(60),
              authorized: Bool = true) async throws(CLIError) -> HTTPAnswer {
        let url = Self.url(path.hasPrefix("http://") || path.hasPrefix("https://") ? path : baseURL + path, query: query)
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: "easel-cli")
        if authorized, let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
            let buffer = try await response.body.collect(upTo: Self.maxBody)
            return HTTPAnswer(url: url, status: Int(response.status.code),
                              contentType: response.headers.first(name: "Content-Type"),
                              body: Array(buffer.readableBytesView))
        } catch {
            throw .connection("cannot reach \(url): \(Self.reason(error))")
        }
    }

    static func url(_ base: String, query: [(String, String)]) -> String {
        guard !query.isEmpty else { return base }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = query.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return base + "?" + encoded.joined(separator: "&")
    }

    // Transport errors print as long multi-line dumps; one short line is enough to act on.
    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        if line.contains("connectTimeout") || line.contains("connect timeout") { return "connection timed out" }
        if line.localizedCaseInsensitiveContains("connection refused") { return "connection refused" }
        if line.contains("deadlineExceeded") { return "no answer in time" }
        return String(line.prefix(200))
    }
}
