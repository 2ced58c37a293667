/// Wakes the dispatcher when there may be work: a task was created, a slot freed, or a periodic tick. Wakes that
/// arrive while the dispatcher is busy coalesce into one, so there is never a backlog and never a spinning loop.
public struct WakeSignal: Sendable {
    /// The wakes, for the dispatcher to iterate.
    public let wakes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// Creates a signal.
    public init() {
        (wakes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the dispatcher to look for work.
    public func wake() {
        continuation.yield()
    }

    /// Ends the stream (shutdown).
    public func finish() {
        continuation.finish()
    }
}
