import EaselCore
import Testing
@testable import easel

@Suite struct TextTableTests {
    @Test func columnsArePaddedAndNumbersRightAligned() {
        let objects: [JSONValue] = [
            .object(["task_id": .string("a"), "attempts": .int(1), "error_code": .null]),
            .object(["task_id": .string("longer-id"), "attempts": .int(12), "error_code": .string("InternalError")]),
        ]
        let text = TextTable(objects: objects, keys: ["task_id", "attempts", "error_code"]).render()
        #expect(text == """
            TASK_ID    ATTEMPTS  ERROR_CODE
            a                 1  -
            longer-id        12  InternalError
            """)
    }

    @Test func missingEmptyAndNestedValuesHaveCells() {
        #expect(TextTable.cell(nil) == "-")
        #expect(TextTable.cell(.string("")) == "-")
        #expect(TextTable.cell(.bool(true)) == "yes")
        #expect(TextTable.cell(.double(2)) == "2")
        #expect(TextTable.cell(.double(2.5)) == "2.5")
        #expect(TextTable.cell(.array([.int(1), .int(2)])) == "2")
        #expect(TextTable.cell(.object(["a": .int(1)])) == "{\"a\":1}")
    }

    @Test func anEmptyListStillHasItsHeader() {
        #expect(TextTable(objects: [], keys: ["id", "status"]).render() == "ID  STATUS")
    }

    @Test func pascalCaseKeysBecomeUpperSnakeCaseHeaders() {
        let text = TextTable(objects: [.object(["AppId": .int(7), "SecretId": .string("AKID1")])], keys: ["AppId", "SecretId"]).render()
        #expect(text.split(separator: "\n").first == "APP_ID  SECRET_ID")
    }
}
