/// Errors of the persistence layer. Messages are safe to log; the API layer maps them to client errors and
/// never shows database text to clients.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case duplicateSession
        case notFound
        case conflict
        case leaseLost
        case unavailable(String)
    }

    private let kind: Kind

    /// The SessionId was used by the same app within the dedup window.
    public static var duplicateSession: Self { .init(kind: .duplicateSession) }
    /// The row does not exist (or belongs to another tenant).
    public static var notFound: Self { .init(kind: .notFound) }
    /// The row is not in a state that allows the change.
    public static var conflict: Self { .init(kind: .conflict) }
    /// The task's lease was taken over by another claim (or the task left processing): the worker must stop.
    public static var leaseLost: Self { .init(kind: .leaseLost) }
    /// The database failed; the detail is for logs only.
    public static func unavailable(_ detail: String) -> Self { .init(kind: .unavailable(detail)) }

    public var description: String {
        switch kind {
        case .duplicateSession: "duplicate session id"
        case .notFound: "not found"
        case .conflict: "state conflict"
        case .leaseLost: "lease lost"
        case .unavailable(let detail): "database unavailable: \(detail)"
        }
    }
}
