import EaselCore

/// Who is calling: the tenant of a verified credential.
struct Principal: Sendable {
    let tenant: Tenant
    let secretId: String
}
