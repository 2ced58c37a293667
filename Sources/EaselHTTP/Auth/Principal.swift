import EaselCore

/// Who is calling: the tenant of a verified credential.
struct Principal: Sendable {
    let tenant: Tenant
    let secretId: String
    /// For signed Tencent calls, a key derived from the signature: identical for an identical retry, so a repeated
    /// create can return the first call's task.
    var requestKey: String?
}
