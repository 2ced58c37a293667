import Foundation
import PropertyBased
import Testing
@testable import EaselStore

/// The arithmetic UTC day of a usage row against Foundation's Gregorian calendar, which named the days before.
@Suite struct UsageDayTests {
    @Test func namesTheDayTheCalendarNames() async {
        await propertyCheck(count: 3_000, input: Gen<Double>.double(in: 0...1e12)) { seconds in
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UsageRow.day(of: date) == UsageRow.calendarDay(of: date), "\(seconds)")
        }
    }

    @Test func turnsAtMidnightUTCOnEveryKindOfYear() {
        // Around the epoch, leap days (2000 is one, 2100 is not), month and year ends.
        let midnights: [Double] = [0, 86_400, 951_782_400, 951_868_800, 4_107_456_000, 4_107_542_400, 1_767_139_200,
                                   1_767_225_600, 1_709_164_800, 253_402_214_400]
        for midnight in midnights {
            for seconds in [midnight - 0.001, midnight, midnight + 0.5, midnight + 86_399.999] where seconds >= 0 {
                let date = Date(timeIntervalSince1970: seconds)
                #expect(UsageRow.day(of: date) == UsageRow.calendarDay(of: date), "\(seconds)")
            }
        }
        #expect(UsageRow.day(of: Date(timeIntervalSince1970: 1_767_225_600)) == "2026-01-01")
        #expect(UsageRow.day(of: Date(timeIntervalSince1970: -1)) == "1969-12-31")
    }
}
