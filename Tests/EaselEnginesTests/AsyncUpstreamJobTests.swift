import EaselCore
import Synchronization
import Testing
@testable import EaselEngines

/// What one toolkit run did: submits, polled ids, checkpoints and progress, in order.
private final class JobTrace: Sendable {
    let submits = Mutex(0)
    let polls = Mutex<[String]>([])
    let checkpoints = Mutex<[String]>([])
    let progress = Mutex<[Int]>([])

    func job(resume: String? = nil) -> EngineJob {
        EngineJob(taskId: "t-1", request: ImageRequest(modelName: "Kling", modelVersion: "2.1", prompt: "p"),
                  outputSize: PixelSize(width: 64, height: 48), imageCount: 1, resumeToken: resume) { [self] id in
            checkpoints.withLock { $0.append(id) }
        }
    }
}

private let png = SandboxRenderer().render(prompt: "toolkit", seed: 1, index: 0, width: 16, height: 12, format: .png).bytes

/// A transport that answers every URL with `status` and `body` (by default, `png`).
private func cdn(status: Int = 200, body: [UInt8] = png) -> UpstreamHTTP {
    UpstreamHTTP { _ in UpstreamResponse(status: status, body: body) }
}

private func toolkit(timeout: Duration = .seconds(60), http: UpstreamHTTP = cdn(), initialProgress: Int? = 10,
                     timedOut: EngineError = JobDeadline.defaultTimedOut, maxBytes: Int = ResultDownloader.defaultMaxBytes)
    -> AsyncUpstreamJob {
    AsyncUpstreamJob(schedule: PollSchedule(first: .milliseconds(2), jitter: .seeded(7)), timeout: timeout, timedOut: timedOut,
                     downloader: ResultDownloader(http: http, maxBytes: maxBytes), initialProgress: initialProgress)
}

@Suite struct AsyncUpstreamJobTests {
    @Test func submitsCheckpointsPollsAndDownloads() async throws {
        let trace = JobTrace()
        let answers: [PollAnswer] = [.pending(.queued), .pending(.running), .succeeded(.urls(["https://cdn.example/a.png"]))]
        let images = try await toolkit().run(trace.job(), progress: { value in trace.progress.withLock { $0.append(value) } }) { _ in
            trace.submits.withLock { $0 += 1 }
            #expect(trace.checkpoints.withLock { $0.isEmpty })
            return "up-1"
        } poll: { id, _ in
            let count = trace.polls.withLock { $0.append(id); return $0.count }
            #expect(trace.checkpoints.withLock { $0 } == ["up-1"])
            return answers[count - 1]
        }
        #expect(images.map(\.bytes) == [png])
        #expect(trace.submits.withLock { $0 } == 1 && trace.polls.withLock { $0 } == ["up-1", "up-1", "up-1"])
        #expect(trace.progress.withLock { $0 } == [10, 20, 100])
    }

    @Test func resumePollsTheCheckpointedIdWithoutSubmitting() async throws {
        let trace = JobTrace()
        let images = try await toolkit().run(trace.job(resume: "up-9"), progress: { _ in }) { _ in
            trace.submits.withLock { $0 += 1 }
            return "up-new"
        } poll: { id, _ in
            trace.polls.withLock { $0.append(id) }
            return .succeeded(.bytes([png]))
        }
        #expect(images.count == 1)
        let checkpointed = trace.checkpoints.withLock { $0.count }
        #expect(trace.submits.withLock { $0 } == 0 && checkpointed == 0)
        #expect(trace.polls.withLock { $0 } == ["up-9"])
    }

    @Test func aResumeTokenThatIsNoPlainIdIsRefusedBeforeAnyPoll() async throws {
        let trace = JobTrace()
        let error = await #expect(throws: EngineError.self) {
            try await toolkit().run(trace.job(resume: "../admin"), progress: { _ in }) { _ in "x" } poll: { id, _ in
                trace.polls.withLock { $0.append(id) }
                return .pending(.unknown)
            }
        }
        #expect(error?.code == "ModelGenerateFailed" && error?.message.contains("task_id") == true)
        let polled = trace.polls.withLock { $0.count }
        #expect(polled == 0)
    }

    @Test func deadlineGivesTheProvidersTimeoutError() async throws {
        let trace = JobTrace()
        let own = EngineError(code: "TaskTimeout", message: "Example did not finish in time.", isRetryable: true)
        let error = await #expect(throws: EngineError.self) {
            let job = toolkit(timeout: .milliseconds(300), timedOut: own)
            return try await job.run(trace.job(), progress: { _ in }) { _ in "up-1" } poll: { id, _ in
                trace.polls.withLock { $0.append(id) }
                return .pending(.running)
            }
        }
        // Whether any poll fitted in before the deadline depends on the machine's load, so it is not asserted.
        #expect(error == own && trace.checkpoints.withLock { $0 } == ["up-1"])
    }

    @Test func transientPollFailuresAreRetriedThenSucceed() async throws {
        let trace = JobTrace()
        let hiccup = EngineError(code: "InternalError", message: "The upstream failed (HTTP 502).", isRetryable: true)
        let images = try await toolkit().run(trace.job(), progress: { _ in }) { _ in "up-1" } poll: { id, _ in
            let count = trace.polls.withLock { $0.append(id); return $0.count }
            if count <= AsyncUpstreamJob.transientLimit { throw hiccup }
            return .succeeded(.bytes([png]))
        }
        #expect(images.count == 1 && trace.polls.withLock { $0.count } == AsyncUpstreamJob.transientLimit + 1)
    }

    @Test func aLongerRunOfPollFailuresIsReported() async throws {
        let trace = JobTrace()
        let hiccup = EngineError(code: "RequestLimitExceeded", message: "slow down", isRetryable: true, retryAfter: .milliseconds(5))
        let error = await #expect(throws: EngineError.self) {
            try await toolkit().run(trace.job(), progress: { _ in }) { _ in "up-1" } poll: { id, _ in
                trace.polls.withLock { $0.append(id) }
                throw hiccup
            }
        }
        #expect(error == hiccup && trace.polls.withLock { $0.count } == AsyncUpstreamJob.transientLimit + 1)
    }

    @Test func aFailedJobAndAFinalErrorAreNotRetried() async throws {
        let trace = JobTrace()
        let verdict = UpstreamFailure.outputBlocked()
        let failed = await #expect(throws: EngineError.self) {
            try await toolkit().run(trace.job(), progress: { _ in }) { _ in "up-1" } poll: { id, _ in
                trace.polls.withLock { $0.append(id) }
                return .failed(EngineError(code: verdict.code, message: verdict.message, isRetryable: true))
            }
        }
        #expect(failed?.code == "ContentModerationFailed" && trace.polls.withLock { $0.count } == 1)
        let refused = await #expect(throws: EngineError.self) {
            try await toolkit().run(trace.job(), progress: { _ in }) { _ in "up-2" } poll: { id, _ in
                trace.polls.withLock { $0.append(id) }
                throw UpstreamFailure.classify(status: 404)
            }
        }
        #expect(refused?.code == "InternalError" && trace.polls.withLock { $0.count } == 2)
    }

    @Test func progressOnlyEverGoesUp() async throws {
        let trace = JobTrace()
        let answers: [PollAnswer] = [.pending(.percent(3)), .pending(.queued), .pending(.percent(5)), .pending(.running),
                                     .pending(.unknown), .pending(.percent(150)), .pending(.running), .pending(.queued),
                                     .succeeded(.bytes([png]))]
        _ = try await toolkit(initialProgress: nil).run(trace.job(), progress: { value in
            trace.progress.withLock { $0.append(value) }
        }) { _ in "up-1" } poll: { id, _ in
            answers[trace.polls.withLock { $0.append(id); return $0.count } - 1]
        }
        let values = trace.progress.withLock { $0 }
        #expect(values == [3, 10, 20, 99, 100])
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func aDownloadOverTheSizeLimitFailsWithOneError() async throws {
        let trace = JobTrace()
        let error = await #expect(throws: EngineError.self) {
            try await toolkit(maxBytes: png.count - 1).run(trace.job(), progress: { _ in }) { _ in "up-1" } poll: { _, _ in
                .succeeded(.urls(["https://cdn.example/a.png"]))
            }
        }
        #expect(error == ResultDownloader.tooLarge)
        #expect(error?.code == "ModelGenerateFailed" && error?.isRetryable == false)
    }

    @Test func overTheWireTheSizeLimitGivesTheSameError() async throws {
        try await FakeUpstream.runWithClient("fake-cdn", respond: { _ in FakeReply(status: 200, body: png, type: "image/png") }) {
            upstream, http in
            let url = upstream.baseURL + "/cdn/a.png"
            let fits = try await ResultDownloader(http: http, maxBytes: png.count).fetch(url, timeout: .seconds(10))
            #expect(fits.bytes == png)
            let error = await #expect(throws: EngineError.self) {
                try await ResultDownloader(http: http, maxBytes: png.count - 1).fetch(url, timeout: .seconds(10))
            }
            #expect(error == ResultDownloader.tooLarge)
            let requests = upstream.log.all
            #expect(requests.map(\.path) == ["/cdn/a.png", "/cdn/a.png"] && requests.allSatisfy { $0.header("authorization") == nil })
        }
    }

    @Test(arguments: [
        (200, "ModelGenerateFailed", true), (403, "ModelGenerateFailed", true), (404, "ModelGenerateFailed", true),
        (429, "RequestLimitExceeded", true), (502, "InternalError", true), (504, "TaskTimeout", true),
    ])
    func downloadFailuresMapOneWay(status: Int, code: String, retryable: Bool) async throws {
        let downloader = ResultDownloader(http: cdn(status: status, body: Array("<html>".utf8)))
        let error = await #expect(throws: EngineError.self) {
            try await downloader.images(.urls(["https://cdn.example/a.png"]), deadline: JobDeadline(after: .seconds(5)))
        }
        #expect(error?.code.rawValue == code && error?.isRetryable == retryable)
        let scheme = await #expect(throws: EngineError.self) {
            try await downloader.fetch("file:///etc/passwd", timeout: .seconds(1))
        }
        #expect(scheme?.message.contains("result URL") == true)
    }

    @Test func resultHostsGetOnlyTheHeadersTheProviderAllows() async throws {
        let seen = Mutex<[[String]]>([])
        let http = UpstreamHTTP { request in
            seen.withLock { $0.append(request.headers.map(\.0)) }
            return UpstreamResponse(status: 200, body: png)
        }
        let downloader = ResultDownloader(http: http) { url in url.hasPrefix("https://own.example/") ? [("mj-api-secret", "s")] : [] }
        _ = try await downloader.images(.urls(["https://own.example/a.png", "https://cdn.example/b.png"]),
                                        deadline: JobDeadline(after: .seconds(5)))
        #expect(seen.withLock { $0 } == [["mj-api-secret"], []])
    }
}

@Suite struct PollScheduleTests {
    @Test func backoffGrowsByHalfUpToTheOneCap() {
        var schedule = PollSchedule(first: .milliseconds(100), jitter: .none)
        let delays = (0..<10).map { _ in schedule.nextDelay() }
        #expect(Array(delays.prefix(3)) == [.milliseconds(100), .milliseconds(150), .milliseconds(225)])
        #expect(delays.last == .seconds(1) && delays.allSatisfy { $0 <= .seconds(1) })
        var slow = PollSchedule(first: .seconds(3), jitter: .none)
        #expect((0..<10).map { _ in slow.nextDelay() }.last == PollSchedule.maximumCeiling)
        #expect(PollSchedule.ceiling(first: .seconds(30)) == .seconds(30))
    }

    @Test func jitterShortensDelaysReproduciblyWhenSeeded() {
        var one = PollSchedule(first: .seconds(1), jitter: .seeded(42))
        var two = PollSchedule(first: .seconds(1), jitter: .seeded(42))
        let first = (0..<8).map { _ in one.nextDelay() }
        #expect(first == (0..<8).map { _ in two.nextDelay() })
        var plain = PollSchedule(first: .seconds(1), jitter: .none)
        for delay in first {
            let base = plain.nextDelay()
            #expect(delay <= base && delay >= base * (1 - PollSchedule.jitterSpread))
        }
        #expect(Set(first.map(\.components.attoseconds)).count > 1)
    }
}
