import Foundation
import Testing
@testable import EaselApp
@testable import EaselHTTP
import EaselServices

/// The operating knobs: `log_format`, `metrics.port` and `metrics.require_admin_key`, from the file and the environment.
@Suite struct OperatingConfigurationTests {
    @Test func defaultsAreTextLogsAndOpenMetricsOnTheMainPort() throws {
        let configuration = try EaselConfiguration.load(file: nil, environment: [:])
        #expect(configuration.logging.effectiveFormat == .text)
        #expect(configuration.metrics == EaselConfiguration.MetricsSettings())
        #expect(configuration.metrics.port == nil)
        #expect(configuration.metrics.requireAdminKey == false)
    }

    @Test func theFileSetsThemAndTheEnvironmentOverridesIt() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("easel-operating-\(UUID().uuidString).json")
        try Data(#"{"log_format": "json", "metrics": {"port": 9464, "require_admin_key": true}}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try EaselConfiguration.load(file: file.path, environment: [:])
        #expect(fromFile.logging.effectiveFormat == .json)
        #expect(fromFile.metrics.port == 9464)
        #expect(fromFile.metrics.requireAdminKey)
        let overridden = try EaselConfiguration.load(file: file.path, environment: [
            "EASEL_LOG_FORMAT": "TEXT", "EASEL_METRICS_PORT": "9500", "EASEL_METRICS_REQUIRE_ADMIN_KEY": "false",
        ])
        #expect(overridden.logging.effectiveFormat == .text)
        #expect(overridden.metrics.port == 9500)
        #expect(overridden.metrics.requireAdminKey == false)
    }

    @Test(arguments: [
        ["EASEL_LOG_FORMAT": "xml"], ["EASEL_METRICS_PORT": "abc"], ["EASEL_METRICS_PORT": "70000"],
        ["EASEL_METRICS_PORT": "8080"], ["EASEL_METRICS_REQUIRE_ADMIN_KEY": "maybe"],
    ])
    func invalidValuesStopTheServerWithAClearLine(environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try EaselConfiguration.load(file: nil, environment: environment) }
    }
}
