/// One asynchronous upstream job, the same for every provider whose API submits a task and answers "not yet" until
/// it is done: submit → checkpoint the upstream id → poll on a ``PollSchedule`` until the ``JobDeadline``, retrying
/// a short run of transient poll failures and reporting progress that only goes up → download the result with the
/// ``ResultDownloader``.
///
/// A job resumed after a crash (`EngineJob.resumeToken` set) polls the checkpointed id and never submits again, so
/// an upstream task already paid for is not paid for twice. The provider supplies only its wire mapping: how to
/// submit and read the id, and how to read one poll answer into a ``PollAnswer``.
public struct AsyncUpstreamJob: Sendable {
    /// Consecutive retryable poll failures tolerated before the last one is reported.
    public static let transientLimit = 3

    /// When polls happen.
    public var schedule: PollSchedule
    /// How long the whole job may take, from the start of ``run(_:progress:submit:poll:)``.
    public var timeout: Duration
    /// What the provider reports at the deadline.
    public var timedOut: EngineError
    /// How result images are fetched.
    public var downloader: ResultDownloader
    /// The progress reported once the upstream id is known (nil: none until the upstream tells).
    public var initialProgress: Int?
    /// Whether 100 is reported once the images are downloaded.
    public var reportsCompletion: Bool
    /// Which upstream ids are accepted, and the name of the id in the error for one that is not.
    public var idRule: (accepts: @Sendable (String) -> Bool, name: String)

    /// Creates a job runner.
    public init(schedule: PollSchedule, timeout: Duration, timedOut: EngineError = JobDeadline.defaultTimedOut,
                downloader: ResultDownloader, initialProgress: Int?, reportsCompletion: Bool = true,
                idRule: (accepts: @Sendable (String) -> Bool, name: String) = (Self.isPlainID, "task_id")) {
        self.schedule = schedule
        self.timeout = timeout
        self.timedOut = timedOut
        self.downloader = downloader
        self.initialProgress = initialProgress
        self.reportsCompletion = reportsCompletion
        self.idRule = idRule
    }

    /// The runner a channel configures: the first poll delay from `poll_interval_ms`, the size limit from
    /// `max_image_bytes`, the whole job within `channel.timeout`. `resultHeaders` gives the fields sent with each
    /// result URL (none by default).
    public init(channel: UpstreamChannel, options: ChannelOptions, http: UpstreamHTTP,
                timedOut: EngineError = JobDeadline.defaultTimedOut, initialProgress: Int?, reportsCompletion: Bool = true,
                idRule: (accepts: @Sendable (String) -> Bool, name: String) = (Self.isPlainID, "task_id"),
                resultHeaders: @escaping @Sendable (String) -> [(String, String)] = { _ in [] }) throws {
        self.init(schedule: PollSchedule(first: try options.pollInterval()), timeout: channel.timeout, timedOut: timedOut,
                  downloader: ResultDownloader(http: http, maxBytes: try options.maxImageBytes(), headers: resultHeaders),
                  initialProgress: initialProgress, reportsCompletion: reportsCompletion, idRule: idRule)
    }

    /// Any id that is not empty, for upstreams whose ids only ever go into bodies or escaped path segments.
    public static let anyID: @Sendable (String) -> Bool = { !$0.isEmpty }

    /// Whether an upstream id is a plain token (letters, digits, `-`, `_`, `.`; at most 128): ids land in URL paths
    /// and bodies, and anything else would let the upstream steer our requests.
    public static let isPlainID: @Sendable (String) -> Bool = { id in
        !id.isEmpty && id.count <= 128 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// Runs `job`: `submit` (skipped when resuming) returns the upstream id, `poll` reads one status query. Both get
    /// the job's deadline, to size their request timeouts.
    public func run(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void,
                    submit: (JobDeadline) async throws -> String,
                    poll: (String, JobDeadline) async throws -> PollAnswer) async throws -> [GeneratedImage] {
        let deadline = JobDeadline(after: timeout, timedOut: timedOut)
        let id: String
        if let token = job.resumeToken, !token.isEmpty {
            id = token
            guard idRule.accepts(id) else { throw UpstreamFailure.malformed(idRule.name) }
        } else {
            id = try await submit(deadline)
            guard idRule.accepts(id) else { throw UpstreamFailure.malformed(idRule.name) }
            await job.checkpoint(id)
        }
        var meter = ProgressMeter(initial: initialProgress)
        if let initialProgress { await progress(initialProgress) }
        let results = try await pollUntilDone(id, deadline: deadline, meter: &meter, progress: progress, poll: poll)
        guard !results.isEmpty else { throw UpstreamFailure.noImage() }
        let images = try await downloader.images(results, deadline: deadline)
        if reportsCompletion { await progress(100) }
        return images
    }

    private func pollUntilDone(_ id: String, deadline: JobDeadline, meter: inout ProgressMeter,
                               progress: @Sendable (Int) async -> Void,
                               poll: (String, JobDeadline) async throws -> PollAnswer) async throws -> PollAnswer.Results {
        var schedule = schedule
        var transient = 0
        var extraWait = Duration.zero
        while true {
            try await deadline.sleep(max(schedule.nextDelay(), extraWait))
            let answer: PollAnswer
            do {
                answer = try await poll(id, deadline)
                transient = 0
                extraWait = .zero
            } catch let error as EngineError where error.isRetryable && transient < Self.transientLimit {
                // A hiccup while polling must not abandon a task that is already paid for; Retry-After is honoured.
                transient += 1
                extraWait = error.retryAfter ?? .zero
                continue
            }
            switch answer {
            case .pending(let step):
                if let value = meter.advance(step) { await progress(value) }
            case .succeeded(let results):
                return results
            case .failed(let error):
                throw error
            }
        }
    }
}
