import EaselCore
import Foundation

extension UsageRow {
    /// The UTC day of `date`, `YYYY-MM-DD`.
    static func day(of date: Date) -> String {
        // Every create and finish names its day; Calendar and String(format:) were 2.5 % of the store's writer
        // thread under perf. From 1970 on, the proleptic Gregorian day the signers use is the same date; earlier
        // ones keep Calendar, whose Gregorian calendar turns Julian before 1582.
        if date.timeIntervalSince1970 >= 0, date.timeIntervalSince1970 < 1e12 {
            return UTCDay.of(unixSeconds: Int(date.timeIntervalSince1970))
        }
        return calendarDay(of: date)
    }

    /// The UTC day of `date` by Foundation's Gregorian calendar.
    static func calendarDay(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The row key of `task` on the UTC day of `date`, every count zero.
    private init(_ task: TaskRecord, on date: Date) {
        self.init(day: Self.day(of: date), tenant: task.tenant, keyId: task.keyId ?? "", model: task.model)
    }

    /// A new task accepted: `created` on the day of its creation.
    static func created(_ task: TaskRecord) -> UsageRow {
        var row = UsageRow(task, on: task.createdAt)
        row.created = 1
        return row
    }

    /// A finished task (succeeded with its images, or failed) on the day it finished, with the seconds from
    /// `startedAt` (its final attempt's start) to its end.
    static func finished(_ task: TaskRecord, startedAt: Date?) -> UsageRow {
        let end = task.finishedAt ?? Date()
        var row = UsageRow(task, on: end)
        if task.status == .succeeded {
            row.succeeded = 1
            row.images = task.outputs.count
        } else {
            row.failed = 1
        }
        if let startedAt { row.upstreamSeconds = max(end.timeIntervalSince(startedAt), 0) }
        return row
    }

    /// A task failed because its workers kept dying: `failed` on the day it was failed. Its upstream time is not
    /// known (no worker saw its end), so none is counted.
    static func interrupted(_ task: TaskRecord) -> UsageRow {
        var row = UsageRow(task, on: task.finishedAt ?? Date())
        row.failed = 1
        return row
    }

    /// A waiting task aborted: `aborted` on the day of the abort.
    static func aborted(_ task: TaskRecord) -> UsageRow {
        var row = UsageRow(task, on: task.finishedAt ?? Date())
        row.aborted = 1
        return row
    }

    /// Whether `self` and `other` count into the same row.
    func sameKey(as other: UsageRow) -> Bool {
        day == other.day && tenant == other.tenant && keyId == other.keyId && model == other.model
    }

    /// Adds `other`'s counts (same key) to this row's.
    mutating func add(_ other: UsageRow) {
        created += other.created
        succeeded += other.succeeded
        failed += other.failed
        aborted += other.aborted
        images += other.images
        upstreamSeconds += other.upstreamSeconds
    }

    /// Orders rows by day, app, sub-app, key and model: the ledger's order and the order its rows are locked in.
    static func keyOrder(_ a: UsageRow, _ b: UsageRow) -> Bool {
        (a.day, a.tenant.appId, a.tenant.subAppId, a.keyId, a.model) < (b.day, b.tenant.appId, b.tenant.subAppId, b.keyId, b.model)
    }
}
