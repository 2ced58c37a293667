import ArgumentParser
import EaselCore
import EaselStore
import Foundation

/// `easel usage`: tasks, images, upstream time and cost per app, key, model and day.
struct Usage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show usage per day, app, key and model (a table; --json for the admin API's JSON object).")

    @OptionGroup var installation: InstallationOptions
    @OptionGroup var app: AppFilterOptions
    @Option(help: "Only this credential (SecretId).") var keyId: String?
    @Option(help: "Only this model (NAME-VERSION).") var model: String?
    @Option(help: "First day, YYYY-MM-DD (UTC).") var since: String?
    @Option(help: "Last day, YYYY-MM-DD (UTC), inclusive.") var until: String?
    @Flag(help: "Print one JSON object: {\"usage\": [...], \"totals\": {...}}.") var json = false

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, !Self.isDay(value) { throw ValidationError("\(name) must be a day as YYYY-MM-DD, got `\(value)`.") }
        }
    }

    func run() async throws {
        let report: UsageReport = try await installation.run { api in
            var query = app.query
            if let keyId { query.append(("key_id", keyId)) }
            if let model { query.append(("model", model)) }
            if let since { query.append(("since", since)) }
            if let until { query.append(("until", until)) }
            return UsageReport(answer: try await api.get("/usage", query: query))
        } local: { local in
            let query = UsageQuery(appId: app.appId, subAppId: app.subAppId, keyId: keyId, model: model, since: since, until: until)
            return UsageReport(rows: try await local.store.usage(query), prices: local.configuration.usagePrices)
        }
        if json {
            Printer.line(report.json)
        } else {
            print(report.table())
        }
    }

    /// Whether `text` is a real calendar day written `YYYY-MM-DD`.
    static func isDay(_ text: String) -> Bool {
        guard text.count == 10, text.allSatisfy({ $0.isNumber || $0 == "-" }) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text).map { formatter.string(from: $0) == text } ?? false
    }
}
