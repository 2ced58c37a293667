import EaselMacros

/// A notification to record in the same transaction as a task's terminal state, so that a crash can never lose it.
public enum OutboxEntry: Sendable, Equatable {
    /// A VOD event for `PullEvents`/`ConfirmEvents`.
    case pullEvent
    /// An HTTP POST to `url` in the given body format, retried until delivered or dead.
    case delivery(url: String, format: DeliveryFormat)
}

/// How a delivery's body is shaped.
public enum DeliveryFormat: String, Codable, Sendable {
    /// Tencent VOD event callback: `{"EventType": "AigcImageTaskComplete", "AigcImageCompleteEvent": {...}}`.
    case vodEvent = "vod_event"
    /// Easel webhook for the REST proxy: the DescribeTaskDetail envelope plus event fields.
    case restWebhook = "rest_webhook"
    /// Easel webhook for the OpenAI dialect: the images response plus event fields.
    case openAIWebhook = "openai_webhook"
}

/// Where an app wants results pushed.
@MemberwiseInit
public struct AppNotificationSettings: Sendable, Equatable {
    /// VOD event callback URL (the console's "normal callback").
    public var vodCallbackURL: String?
    /// Default webhook URL for REST and OpenAI tasks without their own.
    public var webhookURL: String?
}

/// Decides which notifications a finished task produces.
public enum NotificationPlan {
    /// VOD tasks get a pull event and, when the task or the app has a callback URL, a pushed event; REST and OpenAI tasks get a
    /// webhook to the task's own callback URL or the app's default. MPS documents no callbacks.
    public static func entries(for task: TaskRecord, app: AppNotificationSettings) -> [OutboxEntry] {
        switch task.dialect {
        case .vod:
            var entries: [OutboxEntry] = [.pullEvent]
            if let url = task.callbackURL ?? app.vodCallbackURL { entries.append(.delivery(url: url, format: .vodEvent)) }
            return entries
        case .rest:
            return (task.callbackURL ?? app.webhookURL).map { [.delivery(url: $0, format: .restWebhook)] } ?? []
        case .openai:
            return (task.callbackURL ?? app.webhookURL).map { [.delivery(url: $0, format: .openAIWebhook)] } ?? []
        case .mps:
            return []
        }
    }
}
