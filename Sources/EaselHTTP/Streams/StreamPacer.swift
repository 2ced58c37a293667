import Hummingbird
import NIOCore

/// The clock of one event stream: when it must end (the streams' maximum duration) and when, idle, it owes a
/// keep-alive comment (every heartbeat since the last thing it sent).
struct StreamPacer {
    private let settings: StreamSettings
    private let clock = ContinuousClock()
    private let deadline: ContinuousClock.Instant
    private var nextBeat: ContinuousClock.Instant

    init(settings: StreamSettings) {
        self.settings = settings
        deadline = clock.now + settings.maxDuration
        nextBeat = clock.now + settings.heartbeat
    }

    /// Whether the stream has run for its maximum duration.
    var isOver: Bool { clock.now >= deadline }

    /// How long to wait for the next change at most: the poll interval, bounded by the next keep-alive and the end.
    var nextWait: Duration {
        let now = clock.now
        return max(.zero, min(settings.pollInterval, nextBeat - now, deadline - now))
    }

    /// Something was sent: the next keep-alive is due a heartbeat from now.
    mutating func sent() {
        nextBeat = clock.now + settings.heartbeat
    }

    /// Writes a keep-alive comment when one is due.
    mutating func keepAlive(_ writer: inout any ResponseBodyWriter) async throws {
        guard clock.now >= nextBeat else { return }
        try await writer.write(StatusStream.comment("keep-alive"))
        sent()
    }
}
