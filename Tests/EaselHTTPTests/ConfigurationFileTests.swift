import Foundation
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselServices

/// The JSON file's `server` section reaches the configuration (its keys are snake_case, decoded by name).
@Suite struct ConfigurationFileTests {
    @Test func serverKeysFromTheFileAreApplied() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("easel-server-\(UUID().uuidString).json")
        try Data(#"{"server": {"host": "0.0.0.0", "port": 9001, "public_url": "https://images.example.com"}}"#.utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try EaselConfiguration.load(file: file.path, environment: [:])
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 9001)
        #expect(configuration.server.publicURL == "https://images.example.com")
        #expect(configuration.effectivePublicURL == "https://images.example.com")
        let overridden = try EaselConfiguration.load(file: file.path, environment: ["EASEL_PUBLIC_URL": "https://cdn.example.com"])
        #expect(overridden.server.publicURL == "https://cdn.example.com")
    }
}
