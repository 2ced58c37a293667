import ArgumentParser
import EaselCore
import EaselHTTP
import Foundation

/// `easel keys`: create, list and revoke app credentials.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage app credentials.",
                                                    subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create credentials for an app and print them as one JSON object.")

        @OptionGroup var common: CommonOptions
        @Option(help: "The app id.") var appId: Int64
        @Option(help: "The VOD sub-app id (default: the app id).") var subAppId: Int64?
        @Option(help: "Make temporary credentials with a session token valid this many seconds.") var tokenTTL: Int?

        func run() async throws {
            let runtime = try EaselRuntime(configuration: try common.configuration())
            try await runtime.withStore {
                let issued = try await runtime.createCredential(tenant: Tenant(appId: appId, subAppId: subAppId ?? appId),
                                                                tokenTTL: tokenTTL.map { .seconds($0) })
                print(String(decoding: issued.json.encoded(), as: UTF8.self))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials (secrets are never shown).")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let runtime = try EaselRuntime(configuration: try common.configuration())
            try await runtime.withStore {
                for credential in try await runtime.store.allCredentials() {
                    let object: JSONValue = .object([
                        "AppId": .int(credential.tenant.appId), "SubAppId": .int(credential.tenant.subAppId),
                        "SecretId": .string(credential.secretId), "CreatedAt": .string(ISOTime.string(credential.createdAt)),
                        "ExpiresAt": .string(ISOTime.string(credential.expiresAt)),
                        "Revoked": .bool(credential.revokedAt != nil),
                    ])
                    print(String(decoding: object.encoded(), as: UTF8.self))
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a credential by SecretId.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The SecretId to revoke.") var secretId: String

        func run() async throws {
            let runtime = try EaselRuntime(configuration: try common.configuration())
            try await runtime.withStore {
                guard try await runtime.store.revokeCredential(secretId: secretId, at: Date()) else {
                    throw ValidationError("No active credential has SecretId \(secretId).")
                }
                print("revoked \(secretId)")
            }
        }
    }
}
