import EaselCore
import EaselMacros
import Foundation

/// What the use cases need to accept a task: the apps' settings, which callback URLs may be called, and how long a
/// SessionId deduplicates.
@MemberwiseInit
public struct TaskServiceSettings: Sendable {
    /// Per-app settings (callback and webhook URLs, buckets, limits): the store's records over the configuration.
    public var apps: AppSettingsDirectory = AppSettingsDirectory()
    /// Which callback URLs may be called.
    public var callbackPolicy: CallbackURLPolicy = CallbackURLPolicy()
    /// SessionId dedup window (Tencent: 3 days).
    public var sessionDedupWindow: Duration = .seconds(3 * 86_400)
}
