import AsyncHTTPClient
import EaselCore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
@testable import EaselApp
@testable import EaselHTTP
import EaselServices

/// A live Easel (every service of `easel serve`, on a free port) for the status stream tests.
struct LiveStreamServer {
    let test: TestServer
    let base: String
    let http: HTTPClient
    let group: ServiceGroup

    var bearer: [String: String] { ["Authorization": "Bearer \(test.credentials.apiKey)"] }

    /// Starts the server, runs `body`, then shuts it down (unless `body` did) and waits for it.
    static func run(configure: @escaping (inout EaselConfiguration) -> Void,
                    _ body: (LiveStreamServer) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let test = try await TestServer(logger: logger) {
            $0.server.port = 0
            configure(&$0)
        }
        let port = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(configuration: .init(
            services: try test.server.services(onServerRunning: { port.continuation.yield($0) }).map { .init(service: $0) },
            logger: logger))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var ports = port.stream.makeAsyncIterator()
                guard let listening = await ports.next() else { throw TestFailure("the server did not start") }
                try await body(LiveStreamServer(test: test, base: "http://127.0.0.1:\(listening)", http: http, group: group))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// Creates a REST task and returns its id.
    func create(prompt: String = "a lighthouse") async throws -> String {
        let created = try await http.json(base + "/tencent-vod/v1/aigc-image", headers: bearer,
                                          body: #"{"model_name": "GG", "model_version": "2.5", "prompt": "\#(prompt)"}"#)
        guard let id = created.body["Response"]?["TaskId"]?.lenientString else { throw TestFailure("no TaskId: \(created)") }
        return id
    }

    /// Opens `path` as a Server-Sent Events stream.
    func open(_ path: String, headers: [String: String]? = nil) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: base + path)
        for (name, value) in headers ?? bearer { request.headers.add(name: name, value: value) }
        return try await http.execute(request, timeout: .seconds(60))
    }
}

/// What a Server-Sent Events stream said: its `data:` events (parsed as JSON) and its comments, in order.
struct StreamTranscript: Sendable {
    enum Item: Sendable, Equatable {
        case event(JSONValue)
        case comment(String)
    }

    var items: [Item] = []
    /// Whether the server ended the stream (as opposed to the reader stopping early).
    var ended = false

    var events: [JSONValue] {
        items.compactMap { if case .event(let value) = $0 { value } else { nil } }
    }

    var comments: [String] {
        items.compactMap { if case .comment(let text) = $0 { text } else { nil } }
    }

    /// Reads `response` until the server ends it or `stop` says the transcript so far is enough.
    static func read(_ response: HTTPClientResponse,
                     until stop: (StreamTranscript) -> Bool = { _ in false }) async throws -> StreamTranscript {
        var reader = SSEReader(response)
        var transcript = StreamTranscript()
        while let item = try await reader.next() {
            transcript.items.append(item)
            if stop(transcript) { return transcript }
        }
        transcript.ended = true
        return transcript
    }
}

/// Reads a Server-Sent Events body item by item; while it lives, the request stays open.
struct SSEReader {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var pending = ""
    private var ready: [StreamTranscript.Item] = []

    init(_ response: HTTPClientResponse) {
        iterator = response.body.makeAsyncIterator()
    }

    /// The next event or comment, or nil once the server ended the stream.
    mutating func next() async throws -> StreamTranscript.Item? {
        while ready.isEmpty {
            guard let buffer = try await iterator.next() else { return nil }
            pending += String(buffer: buffer)
            while let end = pending.range(of: "\n\n") {
                let block = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("data: ") {
                        ready.append(.event(try JSONValue.parse(Array(line.dropFirst(6).utf8))))
                    } else if line.hasPrefix(": ") {
                        ready.append(.comment(String(line.dropFirst(2))))
                    }
                }
            }
        }
        return ready.removeFirst()
    }
}
