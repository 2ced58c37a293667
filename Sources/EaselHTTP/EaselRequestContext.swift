import Hummingbird

/// Per-request context: Hummingbird's core storage, with the upload limit of Tencent's API (10 MB for TC3 POST).
public struct EaselRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 10 * 1024 * 1024 }
}
