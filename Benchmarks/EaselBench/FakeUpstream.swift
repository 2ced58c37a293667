import ArgumentParser
import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A fake OpenAI images API (`POST /v1/images/generations`): answers a tiny valid PNG as `b64_json`, at once or
/// after `--delay-ms`. `GET /stats` reports the requests answered and the most in flight at once; with `--log`, every
/// answer appends `<prompt>\t<unix seconds when answered>` to that file.
struct FakeUpstream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fake-upstream",
                                                    abstract: "A fake OpenAI-compatible images upstream.")

    @Option(help: "Port on 127.0.0.1.") var port: Int = 18091
    @Option(name: .customLong("delay-ms"), help: "Milliseconds before answering.") var delayMs: Int = 0
    @Option(help: "File receiving one `prompt<TAB>answered-at` line per answer.") var log: String?

    // A 1×1 RGBA PNG.
    static let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

    func run() async throws {
        let stats = Stats()
        let logger = try log.map { try AnswerLog(path: $0) }
        let delay = Duration.milliseconds(delayMs)
        let router = Router()
        router.post("/v1/images/generations") { request, context -> Response in
            let body = try await request.body.collect(upTo: 10 * 1024 * 1024)
            stats.enter()
            defer { stats.leave() }
            if delay > .zero { try await Task.sleep(for: delay) }
            if let logger {
                var prompt = ""
                if let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                   let text = object["prompt"] as? String {
                    prompt = text
                }
                logger.append(prompt: prompt, at: Date().timeIntervalSince1970)
            }
            let answer = #"{"created":\#(Int(Date().timeIntervalSince1970)),"data":[{"b64_json":"\#(Self.png)"}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: answer)))
        }
        router.get("/stats") { _, _ -> Response in
            let (requests, inFlight, maxInFlight) = stats.snapshot()
            let text = #"{"requests":\#(requests),"in_flight":\#(inFlight),"max_in_flight":\#(maxInFlight)}"#
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port),
                                                                    backlog: 4096))
        print("fake-upstream listening on 127.0.0.1:\(port), delay \(delayMs) ms")
        try await app.runService()
    }
}

final class Stats: Sendable {
    private struct State { var requests = 0, inFlight = 0, maxInFlight = 0 }
    private let state = Mutex(State())

    func enter() {
        state.withLock { $0.inFlight += 1; $0.maxInFlight = max($0.maxInFlight, $0.inFlight) }
    }

    func leave() {
        state.withLock { $0.inFlight -= 1; $0.requests += 1 }
    }

    func snapshot() -> (Int, Int, Int) { state.withLock { ($0.requests, $0.inFlight, $0.maxInFlight) } }
}

final class AnswerLog: Sendable {
    private let handle: Mutex<FileHandle>

    init(path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let file = FileHandle(forWritingAtPath: path) else { throw ValidationError("cannot write \(path)") }
        handle = Mutex(file)
    }

    func append(prompt: String, at time: Double) {
        let line = prompt.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
            + "\t" + String(format: "%.6f", time) + "\n"
        handle.withLock { $0.write(Data(line.utf8)) }
    }
}
