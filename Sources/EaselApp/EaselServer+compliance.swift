import EaselEngines
import EaselWorker
import Logging

extension EaselServer {
    /// The configured compliance checker (rules first, then the moderation endpoint), or nil.
    static func complianceChecker(_ configuration: EaselConfiguration, http: UpstreamHTTP?, environment: [String: String],
                                  logger: Logger) throws -> (any ComplianceChecker)? {
        guard let compliance = configuration.compliance else { return nil }
        var checkers: [any ComplianceChecker] = []
        let checkNegative = compliance.checkNegativePrompt ?? false
        if let rules = compliance.rules, !rules.isEmpty {
            do {
                checkers.append(try TermPolicyChecker(rules: rules.map {
                    TermPolicyChecker.Rule(category: $0.category, terms: $0.terms ?? [], patterns: $0.patterns ?? [])
                }, checksNegativePrompt: checkNegative))
            } catch {
                throw ConfigurationError(description: "compliance.rules: \(error.message)")
            }
        }
        if let moderation = compliance.moderation {
            guard let http else { throw ConfigurationError(description: "compliance.moderation needs an HTTP client.") }
            let mode: ModerationEndpointChecker.FailureMode = moderation.failOpen == true ? .failOpen : .failClosed
            checkers.append(ModerationEndpointChecker(
                baseURL: moderation.baseUrl, apiKey: moderation.key(environment: environment),
                model: moderation.model ?? ModerationEndpointChecker.defaultModel, http: http, inputFailure: mode,
                outputFailure: mode, checksNegativePrompt: checkNegative, logger: logger))
        }
        return checkers.isEmpty ? nil : CompositeChecker(checkers)
    }

    /// The configured prompt enhancer, or nil.
    static func promptEnhancer(_ configuration: EaselConfiguration, http: UpstreamHTTP?, environment: [String: String],
                               logger: Logger) -> ChatPromptEnhancer? {
        guard let endpoint = configuration.promptEnhancer, let http else { return nil }
        return ChatPromptEnhancer(baseURL: endpoint.baseUrl, apiKey: endpoint.key(environment: environment),
                                  model: endpoint.model ?? "gpt-4o-mini", http: http, logger: logger)
    }
}
