import EaselCore
import EaselHTTP
import EaselStore
import Testing
@testable import easel

@Suite struct UsageReportTests {
    let rows = [
        UsageRow(day: "2026-12-01", tenant: Tenant(appId: 1, subAppId: 1), keyId: "AKID1", model: "GEM-3.0",
                 created: 3, succeeded: 2, failed: 1, images: 4, upstreamSeconds: 1.5),
        UsageRow(day: "2026-12-02", tenant: Tenant(appId: 2, subAppId: 2), keyId: "AKID2", model: "GG-2.5",
                 created: 1, succeeded: 1, images: 1, upstreamSeconds: 0.25),
    ]

    @Test func costsComeFromThePriceTableAndAreNullWithoutAPrice() {
        let report = UsageReport(rows: rows, prices: ["gem-3.0": .init(perImage: 0.04, perTask: 0.5)])
        #expect(report.rows[0]["cost"] == .double(4 * 0.04 + 2 * 0.5))
        #expect(report.rows[1]["cost"] == .null)
        #expect(report.totals["cost"] == .double(4 * 0.04 + 2 * 0.5))
        #expect(report.totals["created"] == .int(4))
        #expect(report.totals["images"] == .int(5))
        #expect(report.totals["upstream_seconds"] == .double(1.75))
        #expect(report.rows[1]["model"] == .string("GG-2.5"))
        #expect(report.rows[1]["sub_app_id"] == .int(2))
    }

    @Test func totalsCostIsNullWhenNothingIsPriced() {
        #expect(UsageReport(rows: rows, prices: [:]).totals["cost"] == .null)
    }

    @Test func theTableEndsWithATotalsLine() {
        let table = UsageReport(rows: rows, prices: ["GEM-3.0": .init(perImage: 0.04)]).table()
        let lines = table.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("DAY"))
        #expect(lines[3].hasPrefix("total"))
        #expect(lines[3].contains("0.1600"))
        #expect(lines[1].contains("1.5"))
    }

    @Test func answersOfTheAdminAPIAreReadAsTheyAre() {
        let answer: JSONValue = .object(["usage": .array([.object(["day": .string("2026-12-01")])]), "totals": .object(["created": .int(1)])])
        let report = UsageReport(answer: answer)
        #expect(report.json == answer)
    }

    @Test(arguments: [("2026-12-01", true), ("2026-02-30", false), ("2026-1-01", false), ("yesterday", false), ("2026-12-01T00", false)])
    func daysAreCalendarDays(text: String, valid: Bool) {
        #expect(Usage.isDay(text) == valid)
    }
}
