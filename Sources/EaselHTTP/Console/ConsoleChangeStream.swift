import EaselCore
import EaselStore
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Server-Sent Events for the task list and the overview: a `changed` event at the start and whenever the newest
/// tasks in the session's view (their ids, states and progress) differ from the last read, re-read every poll interval of the
/// status streams. The page then fetches its rows again. It ends like a status stream: at the streams' maximum
/// duration, when the client goes away, at shutdown; idle, it sends a keep-alive comment every heartbeat.
struct ConsoleChangeStream: Sendable {
    let environment: ServerEnvironment
    let store: any EaselStorage
    let tenant: Tenant?
    let channel: (any Channel)?

    func response(ticket: StreamTicket) -> Response {
        EventStreamResponse.make(ticket: ticket, channel: channel) { writer, stop in try await events(&writer, stop: stop) }
    }

    private func events(_ writer: inout any ResponseBodyWriter, stop: StopSignal) async throws {
        let pollInterval = environment.streams.pollInterval
        var pacer = StreamPacer(settings: environment.streams)
        var last: [String]?
        try await writer.write(StatusStream.comment("watching for changes"))
        while !stop.isStopped, !pacer.isOver {
            if let current = try? await fingerprint() {
                // The first read also counts: a change between the page's render and this stream is not lost.
                if last != current {
                    try await writer.write(ByteBuffer(string: "event: changed\ndata: {}\n\n"))
                    pacer.sent()
                }
                last = current
            }
            try await pacer.keepAlive(&writer)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await Task.sleep(for: pollInterval) }
                group.addTask { await stop.wait() }
                await group.next()
                group.cancelAll()
            }
        }
    }

    private func fingerprint() async throws -> [String] {
        let page = try await store.searchTasks(TaskQuery(appId: tenant?.appId, subAppId: tenant?.subAppId, limit: 50))
        return page.tasks.map { "\($0.id):\($0.status.rawValue):\($0.progress)" }
    }
}
