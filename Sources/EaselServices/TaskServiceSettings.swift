import EaselCore
import Foundation

/// What the use cases need to accept a task: the apps' settings, which callback URLs may be called, and how long a
/// SessionId deduplicates.
public struct TaskServiceSettings: Sendable {
    /// Per-app settings (callback and webhook URLs, buckets, limits): the store's records over the configuration.
    public var apps: AppSettingsDirectory
    /// Which callback URLs may be called.
    public var callbackPolicy: CallbackURLPolicy
    /// SessionId dedup window (Tencent: 3 days).
    public var sessionDedupWindow: Duration

    /// Creates the settings; the defaults are a Tencent client's.
    public init(apps: AppSettingsDirectory = AppSettingsDirectory(), callbackPolicy: CallbackURLPolicy = CallbackURLPolicy(),
                sessionDedupWindow: Duration = .seconds(3 * 86_400)) {
        self.apps = apps
        self.callbackPolicy = callbackPolicy
        self.sessionDedupWindow = sessionDedupWindow
    }
}
