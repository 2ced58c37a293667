import EaselCore
import Foundation

/// Apps' settings kept in the store (the admin API writes them; every node reads them).
public protocol AppDirectory: Sendable {
    /// Every app with a record, ordered by app and sub-app id.
    func apps() async throws -> [AppRecord]
    /// The record of one app.
    func app(_ tenant: Tenant) async throws -> AppRecord?
    /// Creates or replaces an app's record; its `concurrency` becomes the queue's limit for the tenant in the same
    /// transaction (nil: the store's default).
    func saveApp(_ app: AppRecord) async throws
}

/// Usage accounting, per app, credential, model and UTC day.
public protocol UsageLedger: Sendable {
    /// The rows matching `query`, ordered by day, app, sub-app, key and model.
    func usage(_ query: UsageQuery) async throws -> [UsageRow]
}

/// Searches across every app's tasks (admin API).
public protocol TaskSearch: Sendable {
    /// One page of tasks matching `query`, newest first.
    func searchTasks(_ query: TaskQuery) async throws -> TaskPage
}

/// Figures for metrics and readiness.
public protocol StoreStatistics: Sendable {
    /// Answers when the store can serve a query (readiness); throws otherwise.
    func ping() async throws
    /// Waiting and running tasks by priority.
    func queueStatistics() async throws -> QueueStatistics
    /// Pending and dead deliveries and unconfirmed events per app.
    func outboxStatistics() async throws -> OutboxStatistics
}

/// Installation-wide named values shared by every node (the admin key's hash).
public protocol SettingsStore: Sendable {
    /// The value of `name`, if set.
    func setting(_ name: String) async throws -> String?
    /// Sets `name` only if it has no value yet; returns whether it was set (false: another node or an earlier
    /// start set it first).
    func setSettingIfAbsent(_ name: String, value: String) async throws -> Bool
    /// Sets `name`, replacing any value.
    func setSetting(_ name: String, value: String) async throws
}
