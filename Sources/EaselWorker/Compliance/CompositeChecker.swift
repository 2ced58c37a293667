import EaselEngines

/// Runs several checkers in order and stops at the first error, so cheap local checks (`TermPolicyChecker`) can go
/// before a remote one (`ModerationEndpointChecker`) and spare it the obvious cases. With no checkers everything
/// passes.
public struct CompositeChecker: ComplianceChecker {
    /// The checkers, in the order they run.
    public let checkers: [any ComplianceChecker]

    /// Creates a checker running `checkers` in order.
    public init(_ checkers: [any ComplianceChecker]) {
        self.checkers = checkers
    }

    public func checkInput(prompt: String?, negativePrompt: String?) async throws {
        for checker in checkers {
            try Task.checkCancellation()
            try await checker.checkInput(prompt: prompt, negativePrompt: negativePrompt)
        }
    }

    public func checkOutput(_ images: [GeneratedImage], prompt: String?) async throws {
        for checker in checkers {
            try Task.checkCancellation()
            try await checker.checkOutput(images, prompt: prompt)
        }
    }
}
