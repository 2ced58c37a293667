import EaselCore
import EaselEngines
import Foundation

extension EaselConfiguration.Upstream {
    /// The channel this entry describes, with secrets taken from the environment where so configured.
    func channel(environment: [String: String]) throws -> UpstreamChannel {
        func secret(_ value: String?, _ variable: String?, _ field: String) throws -> String? {
            if let value, !value.isEmpty { return value }
            guard let variable else { return nil }
            guard let found = environment[variable], !found.isEmpty else {
                throw ConfigurationError(description: "upstream \(name): \(field)_env names \(variable), which is not set.")
            }
            return found
        }
        let routes = try models.map { entry -> ModelRoute in
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            let model = parts[0].split(separator: "/", maxSplits: 1).map(String.init)
            guard model.count == 2, !model[0].isEmpty, !model[1].isEmpty else {
                throw ConfigurationError(description: "upstream \(name): model `\(entry)` must be NAME/VERSION[=upstream-model].")
            }
            return ModelRoute(name: model[0], version: model[1], upstreamModel: parts.count > 1 ? parts[1] : nil)
        }
        guard URL(string: baseUrl)?.scheme != nil else {
            throw ConfigurationError(description: "upstream \(name): base_url `\(baseUrl)` is not an absolute URL.")
        }
        return UpstreamChannel(name: name, kind: try ProviderKind(parsing: provider, upstream: name), baseURL: baseUrl,
                               apiKey: try secret(apiKey, apiKeyEnv, "api_key"),
                               accessKey: try secret(accessKey, accessKeyEnv, "access_key"),
                               secretKey: try secret(secretKey, secretKeyEnv, "secret_key"), region: region, models: routes,
                               options: options ?? [:], timeout: .seconds(timeoutSeconds ?? 180),
                               maxConcurrency: maxConcurrency ?? 4, maxAttempts: maxAttempts ?? 3)
    }
}
