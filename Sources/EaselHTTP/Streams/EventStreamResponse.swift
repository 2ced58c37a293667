import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The response every Server-Sent Events stream shares (task status, console changes): the event-stream headers,
/// a stop signal raised when the client goes away or the server shuts down gracefully, the stream's ticket held
/// until it ends, and a clean end of the body.
enum EventStreamResponse {
    /// A streaming response whose events `produce` writes until it returns or `stop` is raised.
    static func make(ticket: StreamTicket, channel: (any Channel)?,
                     _ produce: @escaping @Sendable (inout any ResponseBodyWriter, StopSignal) async throws -> Void) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        // Proxies such as nginx would otherwise hold events back until their buffer fills.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { ticket.end() }
            let stop = StopSignal()
            if let channel { ClientDepartureWatcher.watch(channel) { stop.stop() } }
            try await withGracefulShutdownHandler {
                try await produce(&writer, stop)
            } onGracefulShutdown: {
                stop.stop()
            }
            try await writer.finish(nil)
        })
    }
}
