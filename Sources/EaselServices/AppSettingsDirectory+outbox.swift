import EaselCore
import EaselStore

extension AppSettingsDirectory {
    /// The notifications a finished task produces under the apps' current settings.
    public func outbox(for task: TaskRecord) async -> [OutboxEntry] {
        NotificationPlan.entries(for: task, app: await settings(for: task.tenant).notifications)
    }

    /// `outbox(for:)` with the apps' current settings, for use inside a store transaction.
    public func outboxPlan() async -> @Sendable (TaskRecord) -> [OutboxEntry] {
        let snapshot = await snapshot()
        return { NotificationPlan.entries(for: $0, app: snapshot.settings(for: $0.tenant).notifications) }
    }
}
