import EaselCore
import EaselEngines
import Foundation
import Logging

/// An external moderation service speaking the OpenAI moderations API (`POST {baseURL}/v1/moderations`, Bearer key):
/// OpenAI itself with `omni-moderation-latest`, or any compatible gateway.
///
/// Input checks send the prompt as a `text` item (and the negative prompt as a second one when
/// `checksNegativePrompt`); output checks send each image as an `image_url` data URL, one request per image because
/// omni-moderation classifies a single image per request. A result with `flagged: true` is a violation naming the
/// categories set to `true`.
///
/// When no verdict can be had (transport failure, timeout, non-2xx answer, unreadable body) the checker follows its
/// `FailureMode` for that direction. Both default to fail-closed: compliance checks run because the client asked
/// for them, so a check that could not run must not pass silently. Fail-closed throws a retryable `InternalError`;
/// fail-open logs a warning and lets the task through.
public struct ModerationEndpointChecker: ComplianceChecker {
    /// What to do when the service gives no verdict.
    public enum FailureMode: String, Sendable, Equatable {
        /// Fail the task with a retryable `InternalError`.
        case failClosed = "fail_closed"
        /// Let the task through and log a warning.
        case failOpen = "fail_open"
    }

    /// OpenAI's current moderation model.
    public static let defaultModel = "omni-moderation-latest"

    private let endpoint: OpenAICompatibleEndpoint
    private let inputFailure: FailureMode
    private let outputFailure: FailureMode
    private let checksNegativePrompt: Bool
    private let logger: Logger

    /// Creates a checker. `baseURL` may end in `/v1` (it is not doubled); a nil or blank `apiKey` sends no
    /// `Authorization` header.
    public init(baseURL: String, apiKey: String?, model: String = defaultModel, http: UpstreamHTTP,
                timeout: Duration = .seconds(30), inputFailure: FailureMode = .failClosed,
                outputFailure: FailureMode = .failClosed, checksNegativePrompt: Bool = false,
                logger: Logger = Logger(label: "easel.compliance.moderation")) {
        self.endpoint = OpenAICompatibleEndpoint(baseURL: baseURL, path: "moderations", apiKey: apiKey, model: model, http: http,
                                                 timeout: timeout)
        self.inputFailure = inputFailure
        self.outputFailure = outputFailure
        self.checksNegativePrompt = checksNegativePrompt
        self.logger = logger
    }

    public func checkInput(prompt: String?, negativePrompt: String?) async throws {
        var texts = [prompt]
        if checksNegativePrompt { texts.append(negativePrompt) }
        let items = texts.compactMap { $0 }.filter { !$0.trimmingWhitespaceAndNewlines().isEmpty }
            .map { JSONValue.object(["type": .string("text"), "text": .string($0)]) }
        guard !items.isEmpty else { return }
        if let categories = try await flaggedCategories(items, mode: inputFailure, direction: "input") {
            throw ComplianceError.inputViolation(field: checksNegativePrompt ? "prompt or negative prompt" : "prompt",
                                                 categories: categories)
        }
    }

    public func checkOutput(_ images: [GeneratedImage], prompt: String?) async throws {
        for image in images {
            let dataURL = "data:\(image.info.format.contentType);base64,\(Data(image.bytes).base64EncodedString())"
            let item = JSONValue.object(["type": .string("image_url"), "image_url": .object(["url": .string(dataURL)])])
            if let categories = try await flaggedCategories([item], mode: outputFailure, direction: "output") {
                throw ComplianceError.outputViolation(categories: categories)
            }
        }
    }

    // The flagged categories (sorted; empty when flagged without any), nil when not flagged or failing open.
    private func flaggedCategories(_ input: [JSONValue], mode: FailureMode, direction: String) async throws -> [String]? {
        let body = JSONValue.object(["model": .string(endpoint.model), "input": .array(input)])
        let response: UpstreamResponse
        do {
            response = try await endpoint.post(body)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The transport's errors carry no credentials; log only their code.
            let code = (error as? EngineError)?.code ?? "transport"
            return try unavailable(mode, direction: direction, reason: "request failed (\(code))", retryAfter: nil)
        }
        guard (200..<300).contains(response.status) else {
            return try unavailable(mode, direction: direction, reason: "HTTP \(response.status)",
                                   retryAfter: response.retryAfter)
        }
        let results = response.json?["results"]?.arrayValue ?? []
        let verdicts = results.compactMap(Self.verdict)
        guard !results.isEmpty, verdicts.count == results.count else {
            return try unavailable(mode, direction: direction, reason: "unreadable answer", retryAfter: nil)
        }
        let flagged = verdicts.filter(\.flagged)
        guard !flagged.isEmpty else { return nil }
        return Array(Set(flagged.flatMap(\.categories))).sorted()
    }

    private static func verdict(_ result: JSONValue) -> (flagged: Bool, categories: [String])? {
        guard case .bool(let flagged)? = result["flagged"] else { return nil }
        let categories = result["categories"]?.objectValue?.compactMap { name, value in
            value == .bool(true) ? name : nil
        } ?? []
        return (flagged, categories)
    }

    private func unavailable(_ mode: FailureMode, direction: String, reason: String,
                             retryAfter: Duration?) throws -> [String]? {
        switch mode {
        case .failClosed:
            logger.warning("moderation unavailable; failing closed",
                           metadata: ["direction": "\(direction)", "reason": "\(reason)"])
            throw ComplianceError.unavailable(retryAfter: retryAfter)
        case .failOpen:
            logger.warning("moderation unavailable; failing open (not checked)",
                           metadata: ["direction": "\(direction)", "reason": "\(reason)"])
            return nil
        }
    }
}
