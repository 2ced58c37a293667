import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A minimal HTTP/1.1 server on 127.0.0.1 and an ephemeral port that answers each request with what `answer`
/// returns for its path and records the `Host` header it was sent, so a test can see which name a client asked for
/// and that the connection reached this loopback address.
final class LoopbackHTTPServer: Sendable {
    /// A canned answer.
    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body: [UInt8] = []
    }

    /// The port it listens on.
    let port: Int
    private let channel: any Channel
    private let seen: HostLog

    /// `Host` headers of the requests received, in order.
    var hosts: [String] { seen.hosts.withLock { $0 } }

    private init(port: Int, channel: any Channel, seen: HostLog) {
        self.port = port
        self.channel = channel
        self.seen = seen
    }

    /// Starts a server; stop it with `stop()`.
    static func start(answer: @escaping @Sendable (_ path: String) -> Answer) async throws -> LoopbackHTTPServer {
        let seen = HostLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(answer: answer, seen: seen))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return LoopbackHTTPServer(port: channel.localAddress?.port ?? 0, channel: channel, seen: seen)
    }

    /// Stops listening.
    func stop() async {
        try? await channel.close()
    }

    private final class HostLog: Sendable {
        let hosts = Mutex<[String]>([])
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let answer: @Sendable (String) -> Answer
        let seen: HostLog
        var path = "/"

        init(answer: @escaping @Sendable (String) -> Answer, seen: HostLog) {
            self.answer = answer
            self.seen = seen
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                path = head.uri
                let host = head.headers["host"].first ?? ""
                seen.hosts.withLock { $0.append(host) }
            case .body:
                break
            case .end:
                let reply = answer(path)
                var headers = HTTPHeaders(reply.headers)
                headers.replaceOrAdd(name: "content-length", value: String(reply.body.count))
                let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status),
                                            headers: headers)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
