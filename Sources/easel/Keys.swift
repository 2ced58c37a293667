import ArgumentParser
import EaselCore
import Foundation

/// `easel keys`: create, list and revoke app credentials, in the local store or through a server's admin API.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage app credentials.",
                                                    subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create credentials for an app and print them as one JSON object.")

        @OptionGroup var installation: InstallationOptions
        @OptionGroup var app: AppOptions
        @Option(help: "Make temporary credentials with a session token valid this many seconds.") var tokenTTL: Int?

        func run() async throws {
            let issued: JSONValue = try await installation.run { api in
                var body: [String: JSONValue] = ["app_id": .int(app.appId)]
                if let subAppId = app.subAppId { body["sub_app_id"] = .int(subAppId) }
                if let tokenTTL { body["token_ttl_seconds"] = .int(Int64(tokenTTL)) }
                return Self.printed(try await api.post("/keys", json: .object(body)))
            } local: { local in
                try await local.runtime.createCredential(tenant: app.tenant,
                                                         tokenTTL: tokenTTL.map { .seconds($0) }).json
            }
            Printer.line(issued)
        }

        /// The admin API's answer in the shape the local command prints (`IssuedCredential.json`).
        static func printed(_ issued: JSONValue) -> JSONValue {
            var object: [String: JSONValue] = [:]
            let names = [("app_id", "AppId"), ("sub_app_id", "SubAppId"), ("secret_id", "SecretId"), ("secret_key", "SecretKey"),
                         ("api_key", "ApiKey"), ("webhook_secret", "WebhookSecret"), ("token", "Token"), ("expires_at", "ExpiresAt")]
            for (source, target) in names {
                if let value = issued[source], !value.isNull { object[target] = value }
            }
            return .object(object)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List credentials, one JSON object per line (--table for a table); secrets are never shown.")

        @OptionGroup var installation: InstallationOptions
        @Option(help: "Only this app's credentials.") var appId: Int64?
        @Flag(help: "Print a table instead of JSON lines.") var table = false

        func run() async throws {
            let rows: [JSONValue] = try await installation.run { api in
                let answer = try await api.get("/keys", query: appId.map { [("app_id", String($0))] } ?? [])
                return (answer["keys"]?.arrayValue ?? []).map { key in
                    .object([
                        "AppId": key["app_id"] ?? .null, "SubAppId": key["sub_app_id"] ?? .null, "SecretId": key["secret_id"] ?? .null,
                        "CreatedAt": key["created_at"] ?? .null, "ExpiresAt": .string(key["expires_at"]?.lenientString ?? ""),
                        "Revoked": .bool(!(key["revoked_at"]?.isNull ?? true)),
                    ])
                }
            } local: { local in
                try await local.store.allCredentials().filter { appId == nil || $0.tenant.appId == appId }.map { credential in
                    .object([
                        "AppId": .int(credential.tenant.appId), "SubAppId": .int(credential.tenant.subAppId),
                        "SecretId": .string(credential.secretId), "CreatedAt": .string(ISOTime.string(credential.createdAt)),
                        "ExpiresAt": .string(ISOTime.string(credential.expiresAt)),
                        "Revoked": .bool(credential.revokedAt != nil),
                    ])
                }
            }
            Printer.list(rows, table: table, keys: ["AppId", "SubAppId", "SecretId", "CreatedAt", "ExpiresAt", "Revoked"])
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a credential by SecretId.")

        @OptionGroup var installation: InstallationOptions
        @Argument(help: "The SecretId to revoke.") var secretId: String

        func run() async throws {
            try await installation.post("/keys/\(Tasks.pathSegment(secretId))/revoke", orLocally: { local in
                try await local.store.revokeCredential(secretId: secretId, at: Date())
            }, missing: "NotFound: no active credential has SecretId \(secretId).")
            print("revoked \(secretId)")
        }
    }
}
