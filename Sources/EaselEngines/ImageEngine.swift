import EaselCore
import EaselMacros
import Foundation

/// Something that turns a validated request into images: the built-in sandbox renderer, a vendor API, Tencent
/// VOD itself or a local model server. Engines do no storage; the worker stores what they return.
public protocol ImageEngine: Sendable {
    /// A short name recorded with each task (`sandbox`, `openai`, …).
    var name: String { get }
    /// Whether outputs are synthetic placeholders rather than the real model's work.
    var isSandbox: Bool { get }
    /// Whether the engine needs reference images fetched into `EngineJob.inputs`.
    var needsResolvedInputs: Bool { get }
    /// Whether the provider rewrites prompts itself when asked (so Easel's own enhancer is not used).
    var enhancesPromptNatively: Bool { get }
    /// Why this engine cannot run `request` (checked at create time, reported as InvalidParameterValue), or nil.
    func unsupportedReason(for request: ImageRequest) -> String?
    /// Generates the images of `job`, reporting progress (0–100) as it goes.
    func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage]
}

/// What an engine is asked to produce.
public struct EngineJob: Sendable {
    /// The task id, for logs and upstream idempotency.
    public var taskId: TaskID
    /// The validated, normalised request.
    public var request: ImageRequest
    /// The pixel size each image should have.
    public var outputSize: PixelSize
    /// How many images to produce.
    public var imageCount: Int
    /// The reference images, fetched and checked (empty for engines that do not ask for them).
    public var inputs: [ResolvedImage]
    /// The upstream's id for this job recorded by an earlier run (`checkpoint`), to resume polling after a restart
    /// instead of paying for a second upstream task.
    public var resumeToken: String?
    /// Records the upstream's id for this job durably, before polling starts.
    public var checkpoint: @Sendable (String) async -> Void
    /// Adds a line to the task's log (retries, failover, the upstream task id). Only ids, names and error codes go
    /// in it: it is shown to the task's owner.
    public var log: @Sendable (String) async -> Void = { _ in }
    /// The token of the claim this job runs under: a cluster-wide channel slot is held under it, so the slot of a task
    /// whose lease ended can be reclaimed. Nil outside a dispatcher (tests, direct calls).
    public var leaseToken: String?

    /// Creates a job.
    public init(taskId: TaskID, request: ImageRequest, outputSize: PixelSize, imageCount: Int, inputs: [ResolvedImage] = [],
                resumeToken: String? = nil, checkpoint: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.taskId = taskId
        self.request = request
        self.outputSize = outputSize
        self.imageCount = imageCount
        self.inputs = inputs
        self.resumeToken = resumeToken
        self.checkpoint = checkpoint
    }
}

/// A reference image ready for an upstream: its bytes (always) and the URL it came from (when it had one), so an
/// adapter can pass the URL through or upload the bytes, whichever its provider takes.
@MemberwiseInit
public struct ResolvedImage: Sendable, Equatable {
    /// The file bytes.
    public var bytes: [UInt8]
    /// Format and dimensions read from the bytes.
    public var info: ImageInfo
    /// The public URL it was fetched from, if any.
    public var sourceURL: String?
    /// The client's description of the image (GG/GEM).
    public var text: String?
    /// `mask` (OG), a subject id (Vidu), …
    public var referenceType: String?

    /// `data:<mime>;base64,<…>`.
    public var dataURL: String { "data:\(info.format.contentType);base64,\(base64)" }

    /// The bytes in base64.
    public var base64: String { Data(bytes).base64EncodedString() }
}

/// One image an engine produced.
@MemberwiseInit
public struct GeneratedImage: Sendable {
    /// Encoded file bytes.
    public var bytes: [UInt8]
    /// Format and dimensions, read from the bytes.
    public var info: ImageInfo
}

extension ImageEngine {
    /// Only the sandbox makes placeholders; every upstream engine makes the model's real work.
    public var isSandbox: Bool { false }

    /// Upstream engines need the reference images; the sandbox does not.
    public var needsResolvedInputs: Bool { !isSandbox }

    /// Most providers have no prompt-extension switch.
    public var enhancesPromptNatively: Bool { false }

    /// By default an engine takes whatever the catalog allows.
    public func unsupportedReason(for request: ImageRequest) -> String? { nil }
}

/// A failure of an engine, with the Tencent task-level code (`ErrCodeExt`) it maps to.
@MemberwiseInit
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `ModelGenerateFailed`, `ContentModerationFailed`, `TaskTimeout`, …: the same code type the API answers with.
    public var code: ErrorCode
    /// A message safe to show the client.
    public var message: String
    /// Whether running the task again may succeed.
    public var isRetryable: Bool
    /// How long the upstream asked us to wait before retrying (`Retry-After`).
    public var retryAfter: Duration?

    /// Creates an error with a code read at run time (an upstream's, a stored task's).
    public init(code: String, message: String, isRetryable: Bool, retryAfter: Duration? = nil) {
        self.init(code: ErrorCode(rawValue: code), message: message, isRetryable: isRetryable, retryAfter: retryAfter)
    }

    public var description: String { "\(code): \(message)" }
}
