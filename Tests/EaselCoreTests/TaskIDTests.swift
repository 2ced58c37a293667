import Foundation
import Testing
@testable import EaselCore

@Suite struct TaskIDTests {
    @Test func mintedIdsHaveTheirDialectsFormat() {
        let tenant = Tenant(appId: 1_300_000_001, subAppId: 251_007_502)
        let vod = TaskID.make(for: .vod, tenant: tenant)
        #expect(vod.rawValue.hasPrefix("251007502-AigcImageTask-") && vod.rawValue.hasSuffix("t"))
        #expect(vod.format == .vod(subAppId: 251_007_502))
        for dialect in [Dialect.rest, .openai] { #expect(TaskID.make(for: dialect, tenant: tenant).format == .vod(subAppId: 251_007_502)) }
        let mps = TaskID.make(for: .mps, tenant: tenant)
        #expect(mps.rawValue.hasPrefix("1300000001-AigcImage-") && mps.format == .mps(appId: 1_300_000_001))
        #expect(vod != TaskID.make(for: .vod, tenant: tenant))
    }

    @Test(arguments: ["", "abc", "1-AigcImageTask-0123456789abcdef0123456789abcdeft-x", "0-AigcImage-0123456789abcdef0123456789abcdef",
                      "1-AigcImage-0123456789ABCDEF0123456789ABCDEF", "1-AigcImageTask-0123456789abcdef0123456789abcdef",
                      "x-AigcImage-0123456789abcdef0123456789abcdef"])
    func otherTextIsNoMintedFormat(_ text: String) {
        #expect(TaskID(rawValue: text).format == nil)
    }

    @Test func itIsStoredAndSentAsItsText() throws {
        let id: TaskID = "251007502-AigcImageTask-0123456789abcdef0123456789abcdeft"
        let encoded = try JSONEncoder().encode(["id": id])
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"id":"251007502-AigcImageTask-0123456789abcdef0123456789abcdeft"}"#)
        #expect(try JSONDecoder().decode([String: TaskID].self, from: encoded)["id"] == id)
        #expect("\(id)" == id.rawValue)
    }
}
