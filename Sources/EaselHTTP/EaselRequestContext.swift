import Hummingbird
import NIOCore

/// Per-request context: Hummingbird's core storage, with the upload limit of Tencent's API (10 MB for TC3 POST), and
/// the request's facts, which routes record and the observability middleware reads once the handler has answered.
public struct EaselRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// What the routes learned about this request (a reference: every copy of the context shares it).
    public let facts = RequestFacts()

    /// The client's connection (status streams stop when it closes).
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var maxUploadSize: Int { 10 * 1024 * 1024 }
}
