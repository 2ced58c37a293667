import EaselCore
import Foundation
import Synchronization

/// What a route learned about one request — dialect, action, app, task id, error code — for the access log and the
/// HTTP metrics, which read it after the handler ran. One per request, shared by every copy of the request context.
public final class RequestFacts: Sendable {
    /// The facts as recorded so far.
    public struct Snapshot: Sendable, Equatable {
        /// `vod`, `mps`, `rest`, `openai`, `files`, `easel`, `admin` or `other`; nil: judged from the path.
        public var dialect: String?
        /// The Tencent Action or the route's name (`create`, `images.generations`, …).
        public var action: String?
        /// The app the credentials belong to.
        public var app: Tenant?
        /// The task the request created or asked about.
        public var taskId: String?
        /// The dialect's error code, when the request failed.
        public var errorCode: String?
    }

    /// The id the dialect answers with (`RequestId`), also the access log's `request_id`.
    public let requestId: String
    private let state = Mutex(Snapshot())

    /// Creates the facts of a new request with a fresh request id.
    public init(requestId: String = UUID().uuidString.lowercased()) {
        self.requestId = requestId
    }

    /// The facts recorded so far.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Records which dialect and action the request is.
    public func record(dialect: String, action: String) {
        state.withLock {
            $0.dialect = dialect
            $0.action = action
        }
    }

    /// Records the action alone (the dialect is judged from the path).
    public func record(action: String) {
        state.withLock { $0.action = action }
    }

    /// Records the authenticated app.
    public func record(app: Tenant) {
        state.withLock { $0.app = app }
    }

    /// Records the task the request is about; ids longer than any Easel issues are cut.
    public func record(taskId: TaskID) {
        guard !taskId.rawValue.isEmpty else { return }
        state.withLock { $0.taskId = String(taskId.rawValue.prefix(Self.maximumTaskIdLength)) }
    }

    /// Records the error code the request was answered with.
    public func record(errorCode: String) {
        state.withLock { $0.errorCode = errorCode }
    }

    static let maximumTaskIdLength = 100
}
