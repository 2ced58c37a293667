import EaselCore
import Foundation

/// The built-in engine: renders deterministic abstract images locally, so Easel works offline and every model can be
/// exercised end to end. Its outputs are marked as sandbox output; it never passes itself off as the real model.
public struct SandboxEngine: ImageEngine {
    public let name = "sandbox"
    public let isSandbox = true
    private let renderer = SandboxRenderer()
    private let latency: Duration

    /// Creates the engine with an artificial latency per task (spread over the images, with progress reports).
    public init(latency: Duration = .zero) {
        self.latency = latency
    }

    /// Creates the engine for a `sandbox` channel; option `latency_ms` (0 to 600000) sets the latency.
    public init(channel: UpstreamChannel) throws {
        let options = try ChannelOptions(channel, accepted: ["latency_ms"])
        let milliseconds = try options.integer("latency_ms", in: 0...600_000, "a whole number of milliseconds from 0 to 600000")
        self.init(latency: .milliseconds(milliseconds ?? 0))
    }

    public func generate(_ job: EngineJob, progress: @escaping @Sendable (Int) async -> Void) async throws -> [GeneratedImage] {
        let format: ImageFormat = job.request.outputFormat == "jpeg" ? .jpeg : .png
        let seed = job.request.seed ?? Self.seed(from: job.request.prompt ?? job.taskId.rawValue)
        let transparent = job.request.additionalParameters?["background"]?.lenientString == "transparent" && format == .png
        let steps = max(job.imageCount, 1)
        var images: [GeneratedImage] = []
        for index in 0..<job.imageCount {
            if latency > .zero { try await Task.sleep(for: latency / steps) }
            try Task.checkCancellation()
            let encoded = renderer.render(prompt: job.request.prompt ?? "", seed: seed, index: index,
                                          width: job.outputSize.width, height: job.outputSize.height, format: format,
                                          transparentBackground: transparent)
            images.append(GeneratedImage(bytes: encoded.bytes, info: encoded.info))
            await progress((index + 1) * 100 / steps)
        }
        return images
    }

    // A stable seed for prompts without one, so the same prompt renders the same picture.
    static func seed(from text: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash & 0x7fff_ffff_ffff_ffff)
    }
}
