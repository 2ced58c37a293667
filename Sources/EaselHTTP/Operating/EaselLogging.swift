import Logging

/// How log lines are written (`log_format`, `EASEL_LOG_FORMAT`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's standard text lines on standard error (the default, on a terminal or not).
    case text
    /// One JSON object per line on standard error (`JSONLogHandler`), for log collectors.
    case json
}

/// The process's logging backend.
public enum EaselLogging {
    /// Bootstraps swift-log once per process with `format` at `level`; call it before any logger is made.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = switch format {
            case .text: StreamLogHandler.standardError(label: label)
            case .json: JSONLogHandler(label: label)
            }
            handler.logLevel = level
            return handler
        }
    }
}
