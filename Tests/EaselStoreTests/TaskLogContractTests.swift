import EaselCore
import Foundation
import Testing
@testable import EaselStore

/// Task log lines are kept per task in the order they happened, are dropped for tasks that do not exist, and go
/// with their task when it is purged.
@Suite(.timeLimit(.minutes(2))) struct TaskLogContractTests {
    @Test(arguments: StoreKind.available) func linesAreKeptInOrderAndDeletedWithTheirTask(kind: StoreKind) async throws {
        let fixture = try StoreFixture(kind)
        let store = fixture.store
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let task = fixture.makeTask(fixture.alice, at: start)
        let other = fixture.makeTask(fixture.bob, at: start)
        try await store.insert(task, dedupSince: .distantPast)
        try await store.insert(other, dedupSince: .distantPast)
        try await store.appendTaskLogs([
            TaskLogLine(taskId: task.id, at: start + 2, message: "second"),
            TaskLogLine(taskId: task.id, at: start + 1, message: "first"),
            TaskLogLine(taskId: other.id, at: start + 1, message: "other's"),
            TaskLogLine(taskId: "251007502-AigcImageTask-unknownt", at: start, message: "nobody's"),
        ])
        try await store.appendTaskLogs([TaskLogLine(taskId: task.id, at: start + 2, message: String(repeating: "x", count: 1000))])
        let lines = try await store.taskLogs(taskId: task.id, limit: 10)
        #expect(lines.map(\.message) == ["first", "second", String(repeating: "x", count: TaskLogLine.maximumMessageLength)])
        #expect(lines.map(\.at) == [start + 1, start + 2, start + 2])
        #expect(try await store.taskLogs(taskId: task.id, limit: 1).map(\.message) == ["first"])
        #expect(try await store.taskLogs(taskId: "251007502-AigcImageTask-unknownt", limit: 10).isEmpty)

        let claimed = try #require(try await store.claim(now: start + 3, leaseUntil: start + 60, limit: 10).first { $0.task.id == task.id })
        try await fixture.finish(claimed)
        #expect(try await store.purgeTasks(finishedBefore: .distantFuture, dialect: nil) == 1)
        #expect(try await store.taskLogs(taskId: task.id, limit: 10).isEmpty, "the lines went with their task")
        #expect(try await store.taskLogs(taskId: other.id, limit: 10).map(\.message) == ["other's"])
    }
}
