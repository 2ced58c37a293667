import EaselCore

/// A request's verified sign-in: the session, its cookie value and the CSRF token its forms carry.
struct ConsoleSigned: Sendable {
    let session: ConsoleSession
    let cookie: String
    let csrf: String

    /// The app an app session is narrowed to; nil for the admin.
    var tenant: Tenant? { session.tenant }

    /// Whether the session may see a task or delivery of `tenant`.
    func sees(_ other: Tenant) -> Bool {
        tenant.map { $0 == other } ?? true
    }
}
