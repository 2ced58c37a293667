/// Which dialect owns a URL path. Each path belongs to one dialect: the Tencent gateway takes only paths that no
/// other dialect owns, and unknown routes under an owned prefix are answered in that dialect's envelope.
enum DialectPath: Sendable, Equatable {
    /// `/tencent-vod/…`: the resellers' REST proxy.
    case rest
    /// `/v1/…`: the OpenAI images API.
    case openAI
    /// `/easel/…`: Easel's own API (deliveries).
    case easel
    /// `/files/…`: signed output links.
    case files
    /// `/healthz`, `/readyz` and `/metrics`: the operator's routes.
    case health

    /// The dialect that owns `path`, or nil for paths the Tencent gateway may serve.
    static func owner(of path: String) -> DialectPath? {
        if path == "/tencent-vod" || path.hasPrefix("/tencent-vod/") { return .rest }
        if path == "/v1" || path.hasPrefix("/v1/") { return .openAI }
        if path == "/easel" || path.hasPrefix("/easel/") { return .easel }
        if path == "/files" || path.hasPrefix("/files/") { return .files }
        if path == "/healthz" || path == "/readyz" || path == "/metrics" { return .health }
        return nil
    }
}
