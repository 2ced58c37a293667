import EaselCore
import EaselEngines
import Foundation

/// Decides whether a task's prompt (`InputComplianceCheck`) or its generated images (`OutputComplianceCheck`) may
/// pass. Implementations: `TermPolicyChecker` (built-in term/regex policy), `ModerationEndpointChecker` (an
/// OpenAI-compatible moderation service) and `CompositeChecker` (several in order).
///
/// Errors: both methods throw only `EngineError` — a violation (`ComplianceError.inputViolation`/`outputViolation`)
/// or an unavailable checker (`ComplianceError.unavailable`) — or `CancellationError`. Untyped `throws` is deliberate:
/// the dispatcher turns `CancellationError` into "release the task back to the queue" on shutdown, which
/// `throws(EngineError)` could not express.
public protocol ComplianceChecker: Sendable {
    /// Throws `InvalidParameter.ViolationContent` when the prompt (or negative prompt, where the checker looks at
    /// it) breaks the policy.
    func checkInput(prompt: String?, negativePrompt: String?) async throws
    /// Throws `ContentModerationFailed` when a generated image breaks the policy. `prompt` is the prompt that was
    /// actually sent, for checkers that want the context.
    func checkOutput(_ images: [GeneratedImage], prompt: String?) async throws
}

/// The task errors compliance checks produce. Messages name the rule category that matched, never the offending
/// text, so a client cannot use them to probe the policy term by term.
public enum ComplianceError {
    /// The input broke the policy: `InvalidParameter.ViolationContent`, not retryable. `field` is `prompt` or
    /// `negative prompt`; `categories` are the rule or moderation categories that matched.
    public static func inputViolation(field: String = "prompt", categories: [String]) -> EngineError {
        EngineError(code: "InvalidParameter.ViolationContent",
                    message: "The \(field) was rejected by the content policy (\(describe(categories))).", isRetryable: false)
    }

    /// A generated image broke the policy: `ContentModerationFailed`, not retryable.
    public static func outputViolation(categories: [String]) -> EngineError {
        EngineError(code: "ContentModerationFailed",
                    message: "The generated image was rejected by the content policy (\(describe(categories))).",
                    isRetryable: false)
    }

    /// The check could not be performed (fail-closed): `InternalError`, retryable.
    public static func unavailable(retryAfter: Duration? = nil) -> EngineError {
        EngineError(code: "InternalError", message: "The content compliance check is unavailable; try again later.",
                    isRetryable: true, retryAfter: retryAfter)
    }

    private static func describe(_ categories: [String]) -> String {
        let names = categories.filter { !$0.isEmpty }
        switch names.count {
        case 0: return "category: unspecified"
        case 1: return "category: \(names[0])"
        default: return "categories: \(names.joined(separator: ", "))"
        }
    }
}

/// A credential that prints as `<redacted>` in descriptions, debug output and mirrors, so dumping a checker or an
/// enhancer never leaks it.
struct RedactedKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    /// Nil for a missing or blank key (local servers often need none).
    init?(_ value: String?) {
        guard let value, !value.trimmingWhitespaceAndNewlines().isEmpty else { return nil }
        self.value = value
    }

    var description: String { "<redacted>" }
    var debugDescription: String { "<redacted>" }
    var customMirror: Mirror { Mirror(self, children: []) }

    /// `Authorization: Bearer …`.
    var bearerHeader: (String, String) { ("Authorization", "Bearer \(value)") }
}
