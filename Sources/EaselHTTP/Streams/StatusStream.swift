import EaselCore
import EaselServices
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// A task's status as Server-Sent Events: one `data:` event (the fal-style status JSON) for every change (state,
/// queue position, progress), until the task is terminal. Changes are noticed through the completion hub (the
/// dispatcher's claims and heartbeats, finishes from any node) and, as a bounded fallback, by re-reading the task
/// every poll interval, which also carries progress reported on other nodes. A state the task passed through
/// between two reads (queued, then finished before the next read) is still shown, so every state appears in order.
/// The stream ends with the task, at the maximum duration, when the client goes away and at server shutdown;
/// idle streams get a keep-alive comment every heartbeat.
struct StatusStream: Sendable {
    let environment: ServerEnvironment
    /// The task as first read.
    let first: TaskRecord
    let withLogs: Bool
    let links: TaskStatusView.Links
    /// The client's connection, to stop as soon as it closes.
    let channel: (any Channel)?

    /// The streaming response; `ticket` is held until the stream ends.
    func response(ticket: StreamTicket) -> Response {
        EventStreamResponse.make(ticket: ticket, channel: channel) { writer, stop in try await events(&writer, stop: stop) }
    }

    private func events(_ writer: inout any ResponseBodyWriter, stop: StopSignal) async throws {
        var pacer = StreamPacer(settings: environment.streams)
        var task = first
        var sent: (event: JSONValue, status: TaskStatus)?
        while true {
            if sent?.status == .waiting, task.status.isTerminal, task.startedAt != nil {
                var ran = task
                (ran.status, ran.progress, ran.errorCode, ran.errorMessage) = (.processing, 0, nil, nil)
                try await writer.write(Self.event(await environment.statusBody(ran, withLogs: withLogs, links: links)))
            }
            let event = await environment.statusBody(task, withLogs: withLogs, links: links)
            if event != sent?.event {
                try await writer.write(Self.event(event))
                sent = (event, task.status)
                pacer.sent()
            }
            if task.status.isTerminal || stop.isStopped { return }
            if pacer.isOver {
                try await writer.write(Self.comment("the stream's maximum duration was reached; reconnect to follow the task further"))
                return
            }
            try await pacer.keepAlive(&writer)
            await wake(after: pacer.nextWait, stop: stop)
            if stop.isStopped { return }
            do {
                task = try await environment.tasks.task(id: first.id, tenant: first.tenant)
            } catch where error.code == "ResourceNotFound" {
                return
            } catch {
                // The store is away: keep the last state and read again at the next wake.
                continue
            }
        }
    }

    // Returns on a change notice for the task, a stop, or after `timeout`.
    private func wake(after timeout: Duration, stop: StopSignal) async {
        let (hub, key) = (environment.completions, CompletionHub.changeKey(first.id))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await hub.wait(for: key, timeout: timeout) }
            group.addTask { await stop.wait() }
            await group.next()
            group.cancelAll()
        }
    }

    static func event(_ body: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(body.encoded())
        buffer.writeString("\n\n")
        return buffer
    }

    static func comment(_ text: String) -> ByteBuffer {
        ByteBuffer(string: ": \(text)\n\n")
    }
}
