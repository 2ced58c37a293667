import EaselCore
import EaselEngines
import Foundation
import Logging

/// Rewrites a prompt before generation (`EnhancePrompt`) for providers without their own prompt-extension switch.
/// The dispatcher records the prompt actually sent with the task.
public protocol PromptEnhancer: Sendable {
    /// The prompt to send instead of `prompt`. Implementations should fall back to `prompt` rather than fail a task;
    /// only `CancellationError` is expected to escape.
    func enhance(prompt: String, request: ImageRequest) async throws -> String
}

/// What an enhancement produced.
public struct PromptEnhancement: Sendable, Equatable {
    /// The prompt to send: the rewrite, or the original when `fallbackReason` is set.
    public var prompt: String
    /// Why the original prompt is used (`HTTP 500`, `empty answer`, …), nil when the rewrite is used.
    public var fallbackReason: String?

    /// Whether `prompt` is a rewrite.
    public var isEnhanced: Bool { fallbackReason == nil }

    /// Creates a result.
    public init(prompt: String, fallbackReason: String? = nil) {
        self.prompt = prompt
        self.fallbackReason = fallbackReason
    }
}

/// A `PromptEnhancer` backed by an OpenAI-compatible chat model (`POST {baseURL}/v1/chat/completions`, Bearer key):
/// a system message with `instruction`, the prompt as the user message, and `choices[0].message.content` as the new
/// prompt, trimmed, with surrounding quotes and a leading `<think>…</think>` block removed. Any failure — transport,
/// non-2xx, unreadable or empty answer, `finish_reason` `length` or `content_filter`, or a rewrite longer than
/// `maxLength` characters — falls back to the original prompt (logged, and reported by `enhancement`), so
/// enhancement never fails a task. `request` is not used.
public struct ChatPromptEnhancer: PromptEnhancer {
    /// The default system instruction.
    public static let defaultInstruction = """
        Rewrite the image-generation prompt you are given to be more specific and vivid: subject, setting, \
        composition, lighting, style. Keep its meaning and its language, add nothing it rules out, and answer with \
        the rewritten prompt only, without quotes or commentary.
        """

    private let endpoint: OpenAICompatibleEndpoint
    private let instruction: String
    private let temperature: Double
    private let maxLength: Int
    private let logger: Logger

    /// Creates an enhancer. `baseURL` may end in `/v1` (it is not doubled); a nil or blank `apiKey` sends no
    /// `Authorization` header.
    public init(baseURL: String, apiKey: String?, model: String, http: UpstreamHTTP,
                instruction: String = defaultInstruction, temperature: Double = 0.7, maxLength: Int = 2000,
                timeout: Duration = .seconds(30), logger: Logger = Logger(label: "easel.prompt-enhancer")) {
        self.endpoint = OpenAICompatibleEndpoint(baseURL: baseURL, path: "chat/completions", apiKey: apiKey, model: model,
                                                 http: http, timeout: timeout)
        self.instruction = instruction
        self.temperature = temperature
        self.maxLength = maxLength
        self.logger = logger
    }

    public func enhance(prompt: String, request: ImageRequest) async throws -> String {
        try await enhancement(prompt: prompt, request: request).prompt
    }

    /// The rewrite, or the original prompt with the reason it was kept. Throws only `CancellationError`.
    public func enhancement(prompt: String, request: ImageRequest) async throws -> PromptEnhancement {
        guard !prompt.trimmingWhitespaceAndNewlines().isEmpty else {
            return PromptEnhancement(prompt: prompt, fallbackReason: "empty prompt")
        }
        do {
            return PromptEnhancement(prompt: try await rewrite(prompt))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Transport errors are `EngineError`s without credentials; only their code is logged.
            let reason = (error as? Failure)?.reason ?? "request failed (\((error as? EngineError)?.code ?? "transport"))"
            logger.warning("prompt enhancement failed; using the original prompt", metadata: ["reason": "\(reason)"])
            return PromptEnhancement(prompt: prompt, fallbackReason: reason)
        }
    }

    private struct Failure: Error {
        var reason: String
    }

    private func rewrite(_ prompt: String) async throws -> String {
        let body = JSONValue.object([
            "model": .string(endpoint.model),
            "messages": .array([
                .object(["role": .string("system"), "content": .string(instruction)]),
                .object(["role": .string("user"), "content": .string(prompt)]),
            ]),
            "temperature": .double(temperature),
        ])
        let response = try await endpoint.post(body)
        guard (200..<300).contains(response.status) else { throw Failure(reason: "HTTP \(response.status)") }
        guard let choice = response.json?["choices"]?.arrayValue?.first, let content = Self.text(choice["message"]?["content"]) else {
            throw Failure(reason: "unreadable answer")
        }
        if let finish = choice["finish_reason"]?.lenientString, finish == "length" || finish == "content_filter" {
            throw Failure(reason: "finish_reason \(finish)")
        }
        let cleaned = Self.clean(content)
        if cleaned.isEmpty { throw Failure(reason: "empty answer") }
        if cleaned.count > maxLength { throw Failure(reason: "rewrite longer than \(maxLength) characters") }
        return cleaned
    }

    // `content` is a string, or (some gateways) an array of `{"type": "text", "text": …}` parts.
    private static func text(_ content: JSONValue?) -> String? {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            let texts = parts.compactMap { part -> String? in
                guard part["type"]?.lenientString == "text" else { return nil }
                return part["text"]?.lenientString
            }
            return texts.isEmpty ? nil : texts.joined()
        default: return nil
        }
    }

    // Reasoning models may prefix their thoughts; chat models like to quote their answer.
    static func clean(_ content: String) -> String {
        var text = content.trimmingWhitespaceAndNewlines()
        if text.hasPrefix("<think>"), let end = text.range(of: "</think>") {
            text = String(text[end.upperBound...]).trimmingWhitespaceAndNewlines()
        }
        for (open, close) in [("\"", "\""), ("\u{201C}", "\u{201D}"), ("'", "'"), ("\u{300C}", "\u{300D}"), ("`", "`")]
        where text.count >= 2 && text.hasPrefix(open) && text.hasSuffix(close) {
            let inner = text.dropFirst().dropLast()
            guard !inner.contains(open), !inner.contains(close) else { break }
            text = String(inner).trimmingWhitespaceAndNewlines()
            break
        }
        return text
    }
}
