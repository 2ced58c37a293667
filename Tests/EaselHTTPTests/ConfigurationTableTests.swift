import Foundation
import Testing
@testable import EaselApp

/// The README's configuration table is the settings' own: every knob defined once in `EaselSettings`.
@Suite struct ConfigurationTableTests {
    @Test func theReadmeTableIsGeneratedFromTheSettings() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let table = EaselSettings.markdownTable
        #expect(text.contains(table), "README.md's configuration table differs from EaselSettings; it should read:\n\(table)")
    }

    @Test func everySettingHasOneKeyAndOneVariable() {
        let keys = EaselSettings.rows.map(\.key)
        #expect(Set(keys).count == keys.count)
        let variables = EaselSettings.rows.flatMap(\.environment)
        #expect(Set(variables).count == variables.count)
    }

    @Test func everySettingSetsAFieldOfItsOwn() {
        let fields = EaselSettings.all.compactMap(Self.field)
        #expect(fields.count == EaselSettings.all.count, "a setting of a value type this test does not know")
        #expect(Set(fields).count == fields.count, "two settings set the same field")
    }

    /// The configuration field `setting` sets.
    private static func field(_ setting: any ConfigurationSetting) -> AnyKeyPath? {
        switch setting {
        case let setting as Setting<Int>: setting.field
        case let setting as Setting<Int?>: setting.field
        case let setting as Setting<Double>: setting.field
        case let setting as Setting<Bool>: setting.field
        case let setting as Setting<String>: setting.field
        case let setting as Setting<String?>: setting.field
        case let setting as Setting<[String]>: setting.field
        case let setting as Setting<[Int]>: setting.field
        default: nil
        }
    }

    @Test func eachVariableSetsItsKeyAndTheFlagsWin() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("easel-config-\(UUID().uuidString).json")
        try Data(#"{"scheduling": {"lease_seconds": 40, "max_attempts": 5, "session_dedup_window_seconds": 60}, "server": {"port": 9000}}"#.utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try EaselConfiguration.load(file: file.path, environment: [:])
        #expect(fromFile.scheduling.leaseSeconds == 40 && fromFile.scheduling.maxAttempts == 5 && fromFile.scheduling.sessionDedupWindowSeconds == 60)
        #expect(fromFile.server.port == 9000)
        let overridden = try EaselConfiguration.load(file: file.path, environment: ["EASEL_LEASE_SECONDS": "30", "EASEL_PORT": "9100",
                                                                                   "EASEL_SESSION_DEDUP_WINDOW_SECONDS": ""],
                                                     commandLine: ["server.port": "9200"])
        #expect(overridden.scheduling.leaseSeconds == 30 && overridden.scheduling.sessionDedupWindowSeconds == 60)
        #expect(overridden.server.port == 9200)
    }

    @Test func aBadValueFailsWithOneLineNamingTheSettingButNeverASecret() throws {
        let badValue = #expect(throws: ConfigurationError.self, "a bad value was accepted") {
            try EaselConfiguration.load(file: nil, environment: ["EASEL_MAX_ATTEMPTS": "three"])
        }
        #expect(badValue?.description == "scheduling.max_attempts (EASEL_MAX_ATTEMPTS) must be an integer, got `three`.")
        let shortKey = #expect(throws: ConfigurationError.self, "a short admin key was accepted") {
            try EaselConfiguration.load(file: nil, environment: ["EASEL_ADMIN_KEY": "short-secret"])
        }
        #expect(shortKey?.description.contains("short-secret") == false)
    }

    @Test func aBadListItemOrFileValueNamesTheSettingAndTheText() throws {
        let badItem = #expect(throws: ConfigurationError.self, "a bad list item was accepted") {
            try EaselConfiguration.load(file: nil, environment: ["EASEL_DELIVERY_RETRY_DELAYS": "10,x,30"])
        }
        #expect(badItem?.description == "delivery.retry_delays_seconds (EASEL_DELIVERY_RETRY_DELAYS) must be a comma-separated list of integers, got `10,x,30`.")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("easel-bad-\(UUID().uuidString).json").path
        try Data(#"{"scheduling": {"lease_seconds": "soon"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let badFile = #expect(throws: ConfigurationError.self, "a bad file value was accepted") {
            try EaselConfiguration.load(file: path, environment: [:])
        }
        #expect(badFile?.description == "scheduling.lease_seconds (EASEL_LEASE_SECONDS) must be an integer, got `soon`.")
    }

    @Test func loadingNothingGivesTheDefaultConfiguration() throws {
        #expect(try EaselConfiguration.load(file: nil, environment: [:]) == EaselConfiguration())
        #expect(EaselSettings.secretKeys == ["security.master_key", "store.url", "admin.api_key"])
        #expect(EaselSettings.secretVariables.isSuperset(of: ["EASEL_MASTER_KEY", "EASEL_STORE_URL", "EASEL_ADMIN_KEY"]))
    }

    @Test func outputLifetimesReachEveryDialectRESTSharingVODs() throws {
        let outputs = try EaselConfiguration.load(file: nil, environment: ["EASEL_OUTPUTS_VOD_TTL_SECONDS": "100",
                                                                        "EASEL_OUTPUTS_MPS_TTL_SECONDS": "60",
                                                                        "EASEL_OUTPUTS_TASK_RETENTION_SECONDS": "70"]).outputs
        #expect(outputs.temporaryOutputTTL == [.vod: .seconds(100), .rest: .seconds(100), .mps: .seconds(60), .openai: .seconds(86_400)])
        #expect(outputs.taskRetention == [.vod: .seconds(259_200), .rest: .seconds(259_200), .mps: .seconds(70), .openai: .seconds(70)])
    }
}
