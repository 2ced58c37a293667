import Crypto
import EaselCore
import EaselHTTP
import EaselStore
import Foundation

extension EaselRuntime {
    /// Makes sure the admin API has a key. With `admin.api_key` configured that key is used and nothing is stored.
    /// Otherwise, on the first start of the installation, a key `sk-easel-admin-…` is generated, only its SHA-256 is
    /// stored, and it is printed once, unbuffered; of several nodes starting at once exactly one stores and prints
    /// its key. Returns the key it generated, if any.
    @discardableResult
    public func bootstrapAdminKey(configuration: EaselConfiguration,
                                  output: FileHandle = .standardOutput) async throws -> String? {
        if let configured = configuration.adminAPIKey, !configured.isEmpty { return nil }
        if try await store.setting(AdminEnvironment.adminKeySettingName) != nil { return nil }
        let key = "sk-easel-admin-" + TaskID.randomHex(bytes: 24)
        guard try await store.setSettingIfAbsent(AdminEnvironment.adminKeySettingName, value: SHA256.hex(of: key)) else { return nil }
        // FileHandle writes go straight to the descriptor, unlike print's buffered stdout.
        output.write(Data("""
            First start: the admin API key (shown once; set admin.api_key or EASEL_ADMIN_KEY to choose one):
            \(key)

            """.utf8))
        return key
    }
}
