import NIOCore
import NIOHTTPTypes

/// Tells status streams when their client has gone away. The server allows half-closed connections, so a client that
/// closes its socket shows up as "input closed" while the connection itself stays open, and a response that writes
/// nothing (a stream between events) would never notice: this handler passes that on. A stream's request has been
/// read whole before it starts, so input closing during the response means the client left.
final class ClientDepartureWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    // Only touched on the channel's event loop.
    private var departed = false
    private var callbacks: [@Sendable () -> Void] = []

    /// Calls `callback` (on the event loop) once the client is gone, at once if it already is.
    func onDeparture(_ callback: @escaping @Sendable () -> Void) {
        if departed { callback() } else { callbacks.append(callback) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent { depart() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        depart()
        context.fireChannelInactive()
    }

    private func depart() {
        guard !departed else { return }
        departed = true
        let waiting = callbacks
        callbacks = []
        waiting.forEach { $0() }
    }

    /// Runs `callback` once the client of `channel` has gone away (the watcher, or the channel closing).
    static func watch(_ channel: any Channel, _ callback: @escaping @Sendable () -> Void) {
        channel.closeFuture.whenComplete { _ in callback() }
        channel.eventLoop.execute {
            (try? channel.pipeline.syncOperations.handler(type: ClientDepartureWatcher.self))?.onDeparture(callback)
        }
    }
}
