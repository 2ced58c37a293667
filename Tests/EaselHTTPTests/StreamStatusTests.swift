import AsyncHTTPClient
import EaselCore
import Foundation
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselTestSupport

/// `GET …/status/stream` answers Server-Sent Events with the fal-style status of a task, one per change, until the
/// task is terminal; streams are counted per app, freed when the client goes away and ended at shutdown.
@Suite(.timeLimit(.minutes(2))) struct StreamStatusTests {
    @Test func aStreamShowsEveryStateChangeInOrderAndEndsWithTheTask() async throws {
        try await LiveStreamServer.run(configure: {
            $0.sandboxLatencyMilliseconds = 1500
            $0.streams.pollIntervalMs = 50
        }) { live in
            // The app's queue is held while the stream opens, so its first event cannot race the tasks ahead of it.
            let store = live.test.server.runtime.store
            try await store.setConcurrency(0, for: live.test.tenant)
            let ids = [try await live.create(), try await live.create(), try await live.create(prompt: "the watched one")]
            let response = try await live.open("/tencent-vod/v1/query/\(ids[2])/status/stream")
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"].first == "text/event-stream")
            var reader = SSEReader(response)
            guard case .event(let opened)? = try await reader.next() else { throw TestFailure("no first event") }
            #expect(opened["status"]?.lenientString == "IN_QUEUE" && opened["queue_position"]?.lenientInt == 2)
            // One task at a time: the watched one waits behind the other two.
            try await store.setConcurrency(1, for: live.test.tenant)
            var transcript = StreamTranscript(items: [.event(opened)])
            while let item = try await reader.next() { transcript.items.append(item) }
            transcript.ended = true
            let events = transcript.events
            let states = events.compactMap { $0["status"]?.lenientString }
            #expect(states.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } } == ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"])
            #expect(states.last == "COMPLETED" && states.filter { $0 == "COMPLETED" }.count == 1, "nothing follows the end")
            let positions = events.compactMap { $0["queue_position"]?.lenientInt }
            #expect(positions.first == 2 && positions.last == 0 && positions == positions.sorted(by: >),
                    "the queue position counts down as the tasks before it run: \(positions)")
            let progress = events.filter { $0["status"]?.lenientString == "IN_PROGRESS" }.compactMap { $0["metrics"]?["progress"]?.lenientInt }
            #expect(!progress.isEmpty && progress == progress.sorted())
            #expect(zip(events, events.dropFirst()).allSatisfy { $0 != $1 }, "every event says something new")
            let last = try #require(events.last)
            #expect(last["request_id"]?.lenientString == ids[2] && last["error"] == nil && last["logs"] == .null)
            #expect(last["response_url"]?.lenientString?.hasSuffix("/tencent-vod/v1/query/\(ids[2])") == true)
        }
    }

    @Test func openAIClientsStreamTheirTasksToo() async throws {
        try await LiveStreamServer.run(configure: { $0.sandboxLatencyMilliseconds = 300 }) { live in
            let id = try await live.create()
            let response = try await live.open("/v1/images/tasks/\(id)/status/stream?logs=1")
            let transcript = try await StreamTranscript.read(response)
            let last = try #require(transcript.events.last)
            #expect(transcript.ended && last["status"]?.lenientString == "COMPLETED")
            #expect(last["status_url"]?.lenientString?.hasSuffix("/v1/images/tasks/\(id)/status") == true)
            let messages = last["logs"]?.arrayValue?.compactMap { $0["message"]?.lenientString } ?? []
            #expect(messages.first?.hasPrefix("queued") == true && messages.last == "stored 1 image", "\(messages)")
            #expect(messages.contains { $0.hasPrefix("claimed by node ") })
            let missing = try await live.open("/v1/images/tasks/251007502-AigcImageTask-nope/status/stream")
            let body = try JSONValue.parse(try await missing.body.collect(upTo: 1 << 16).readableBytesView)
            #expect(missing.status == .notFound && body["error"]?["message"] != nil, "an OpenAI-style error")
        }
    }

    @Test func theAppLimitAnswers429AndAClientThatGoesAwayFreesItsStream() async throws {
        try await LiveStreamServer.run(configure: {
            $0.sandboxLatencyMilliseconds = 20_000
            $0.scheduling.drainTimeoutSeconds = 0
            $0.streams.maxPerApp = 1
            // Far longer than the wait below: the freed slot cannot come from a failed keep-alive write.
            $0.streams.heartbeatSeconds = 600
        }) { live in
            let id = try await live.create()
            let path = "/tencent-vod/v1/query/\(id)/status/stream"
            let leaving = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                var first = HTTPClientRequest(url: live.base + path)
                first.headers.add(name: "Authorization", value: "Bearer \(live.test.credentials.apiKey)")
                var reader = SSEReader(try await leaving.execute(first, timeout: .seconds(60)))
                guard case .event(let opened)? = try await reader.next() else { throw TestFailure("no first event") }
                #expect(opened["request_id"]?.lenientString == id)
                let limiter = live.test.server.environment.streamLimiter
                #expect(limiter.open(live.test.tenant) == 1, "the first stream holds its slot")

                let refused = try await live.open(path)
                let envelope = try JSONValue.parse(try await refused.body.collect(upTo: 1 << 16).readableBytesView)
                #expect(refused.status == .tooManyRequests)
                #expect(envelope["Response"]?["Error"]?["Code"]?.lenientString == "RequestLimitExceeded.StatusStreams")
                let openAI = try await live.open("/v1/images/tasks/\(id)/status/stream")
                let openAIBody = try JSONValue.parse(try await openAI.body.collect(upTo: 1 << 16).readableBytesView)
                #expect(openAI.status == .tooManyRequests && openAIBody["error"]?["code"]?.lenientString == "rate_limit_exceeded")

                // The first client goes away mid-stream, its reader still in hand: its connection closes.
                try await leaving.shutdown()
                try await waitUntil(timeout: .seconds(20), "the stream's slot to be freed") { limiter.open(live.test.tenant) == 0 }
                _ = reader
            } catch {
                try? await leaving.shutdown()
                throw error
            }
            let reopened = try await live.open(path, headers: ["Authorization": "Key \(live.test.credentials.apiKey)"])
            #expect(reopened.status == .ok, "the slot is free again, and fal's `Key` scheme is accepted")
        }
    }

    @Test func streamsEndCleanlyAtShutdown() async throws {
        let ended = Shared(false)
        try await LiveStreamServer.run(configure: {
            $0.sandboxLatencyMilliseconds = 30_000
            $0.scheduling.drainTimeoutSeconds = 0
            $0.streams.heartbeatSeconds = 600
        }) { live in
            let id = try await live.create()
            let response = try await live.open("/tencent-vod/v1/query/\(id)/status/stream")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let transcript = try await StreamTranscript.read(response)
                    ended.value.withLock { $0 = transcript.ended }
                }
                try await waitUntil("the stream to be counted") { live.test.server.environment.streamLimiter.open(live.test.tenant) == 1 }
                await live.group.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(ended.current, "the server finished the response instead of cutting the connection")
    }
}
