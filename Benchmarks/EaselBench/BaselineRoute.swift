import ArgumentParser
import Hummingbird
import NIOCore

/// The framework floor: a bare Hummingbird 2 route that collects the body and answers a small JSON, on the paths
/// the REST and VOD creates use.
struct BaselineRoute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "baseline-route",
                                                    abstract: "A bare Hummingbird route reading the body (the baseline).")

    @Option(help: "Port on 127.0.0.1.") var port: Int = 18090

    func run() async throws {
        let router = Router()
        let answer = #"{"Response":{"TaskId":"0-AigcImageTask-baseline","RequestId":"00000000-0000-0000-0000-000000000000"}}"#
        @Sendable func handle(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            let body = try await request.body.collect(upTo: 10 * 1024 * 1024)
            _ = body.readableBytes
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: answer)))
        }
        router.post("/tencent-vod/v1/aigc-image", use: handle)
        router.post("/", use: handle)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        print("baseline-route listening on 127.0.0.1:\(port)")
        try await app.runService()
    }
}
