import EaselCore

/// Something that turns a validated request into images: the built-in sandbox renderer, a vendor API, Tencent
/// VOD itself or a local model server. Engines do no storage; the worker stores what they return.
public protocol ImageEngine: Sendable {
    /// A short name recorded with each task (`sandbox`, `openai`, …).
    var name: String { get }
    /// Whether outputs are synthetic placeholders rather than the real model's work.
    var isSandbox: Bool { get }
    /// Generates the images of `job`, reporting progress (0–100) as it goes.
    func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage]
}

/// What an engine is asked to produce.
public struct EngineJob: Sendable {
    /// The task id, for logs and upstream idempotency.
    public var taskId: String
    /// The validated, normalised request.
    public var request: ImageRequest
    /// The pixel size each image should have.
    public var outputSize: PixelSize
    /// How many images to produce.
    public var imageCount: Int

    /// Creates a job.
    public init(taskId: String, request: ImageRequest, outputSize: PixelSize, imageCount: Int) {
        self.taskId = taskId
        self.request = request
        self.outputSize = outputSize
        self.imageCount = imageCount
    }
}

/// One image an engine produced.
public struct GeneratedImage: Sendable {
    /// Encoded file bytes.
    public var bytes: [UInt8]
    /// Format and dimensions, read from the bytes.
    public var info: ImageInfo

    /// Creates an image.
    public init(bytes: [UInt8], info: ImageInfo) {
        self.bytes = bytes
        self.info = info
    }
}

/// A failure of an engine, with the Tencent task-level code (`ErrCodeExt`) it maps to.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `ModelGenerateFailed`, `ContentModerationFailed`, `TaskTimeout`, …
    public var code: String
    /// A message safe to show the client.
    public var message: String
    /// Whether running the task again may succeed.
    public var isRetryable: Bool

    /// Creates an error.
    public init(code: String, message: String, isRetryable: Bool) {
        self.code = code
        self.message = message
        self.isRetryable = isRetryable
    }

    public var description: String { "\(code): \(message)" }
}
