import EaselCore
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request that is not valid HTTP/1.1 (a head over the parser's 80 KB limit, a NUL byte in a header) with
/// a JSON error instead of the bare, empty 400 the server would send. The path was never parsed, so the dialect is
/// unknown: the body carries both the Tencent envelope (`Response.Error`) and OpenAI's (`error`), so any client's
/// error parser finds its own. The connection is closed afterwards, as the parser cannot resynchronise.
final class MalformedRequestResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        let (status, message): (HTTPResponse.Status, String) = switch parserError {
        case .headerOverflow:
            (.requestHeaderFieldsTooLarge, "The request line and headers exceed 80 KB; send large parameters in the body.")
        default:
            (.badRequest, "The request is not valid HTTP/1.1 (\(parserError)).")
        }
        let body = ByteBuffer(data: Self.body(message))
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        // Closing at once, with the rest of the request still unread, makes the kernel send a reset that can destroy
        // the answer before the client reads it; so close our side, keep draining theirs briefly, then close.
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: Self.lingerTime) { channel.close(promise: nil) }
        }
    }

    static let lingerTime: TimeAmount = .seconds(2)

    static func body(_ message: String) -> Data {
        JSONValue.object([
            "Response": .object([
                "Error": .object(["Code": .string("InvalidParameter"), "Message": .string(message)]),
                "RequestId": .string(TencentEnvelope.newRequestId()),
            ]),
            "error": .object(["message": .string(message), "type": .string("invalid_request_error"),
                              "param": .null, "code": .null]),
        ]).encoded()
    }
}
