import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Collects a response (at most `maxBodySize` bytes) and bounds the exchange by `timeout` counted from the moment the
/// request head goes out on a connection, so time spent queued for a pooled connection never eats into it.
final class TimedExchangeDelegate: HTTPClientResponseDelegate {
    typealias Response = HTTPClient.Response

    /// The exchange outlived its timeout after the request was sent.
    struct TimedOut: Error {}

    private let accumulator: ResponseAccumulator
    private let timeout: TimeAmount
    private let timer = Mutex<Scheduled<Void>?>(nil)

    init(request: HTTPClient.Request, maxBodySize: Int, timeout: TimeAmount) {
        self.accumulator = ResponseAccumulator(request: request, maxBodySize: maxBodySize)
        self.timeout = timeout
    }

    func didSendRequestHead(task: HTTPClient.Task<Response>, _ head: HTTPRequestHead) {
        let scheduled = task.eventLoop.scheduleTask(in: timeout) { task.fail(reason: TimedOut()) }
        timer.withLock { $0 = scheduled }
        accumulator.didSendRequestHead(task: task, head)
    }

    func didSendRequestPart(task: HTTPClient.Task<Response>, _ part: IOData) {
        accumulator.didSendRequestPart(task: task, part)
    }

    func didSendRequest(task: HTTPClient.Task<Response>) {
        accumulator.didSendRequest(task: task)
    }

    func didVisitURL(task: HTTPClient.Task<Response>, _ request: HTTPClient.Request, _ head: HTTPResponseHead) {
        accumulator.didVisitURL(task: task, request, head)
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        accumulator.didReceiveHead(task: task, head)
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        accumulator.didReceiveBodyPart(task: task, buffer)
    }

    func didReceiveError(task: HTTPClient.Task<Response>, _ error: any Error) {
        stopTimer()
        accumulator.didReceiveError(task: task, error)
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        stopTimer()
        return try accumulator.didFinishRequest(task: task)
    }

    private func stopTimer() {
        timer.withLock { scheduled in
            scheduled?.cancel()
            scheduled = nil
        }
    }
}
