import EaselCore
import EaselServices
import Foundation

/// VOD reliable callbacks: `PullEvents` (long-poll up to 5 s, at most 16 events) and `ConfirmEvents` (within 30 s of
/// the pull; unconfirmed events become pullable again).
extension VODActions {
    static let pullLimit = 16
    static let confirmWindow: Duration = .seconds(30)
    static let longPoll: Duration = .seconds(5)

    func pullEvents(_ params: FieldReader) async throws(APIError) -> [String: JSONValue] {
        try checkSubApp(try params.int("SubAppId"))
        let deadline = ContinuousClock.now + Self.longPoll
        while true {
            let events: [PulledEvent]
            do {
                events = try await environment.outbox.pullEvents(tenant: principal.tenant, now: Date(),
                                                                 visibility: Self.confirmWindow, limit: Self.pullLimit)
            } catch {
                throw .internalError
            }
            if !events.isEmpty {
                var set: [JSONValue] = []
                for event in events {
                    guard let task = try? await environment.tasks.task(id: event.taskId, tenant: principal.tenant) else { continue }
                    var item = DeliveryRenderer(environment: environment).vodEvent(task)
                    item["EventHandle"] = .string(event.handle)
                    set.append(.object(item))
                }
                return ["EventSet": .array(set)]
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return ["EventSet": .array([])] }
            // Re-read at least every second: events finished by another node sharing the store notify no one here.
            await environment.completions.wait(for: CompletionHub.eventsKey(principal.tenant), timeout: min(remaining, .seconds(1)))
        }
    }

    func confirmEvents(_ params: FieldReader) async throws(APIError) -> [String: JSONValue] {
        try checkSubApp(try params.int("SubAppId"))
        guard let raw = params.value["EventHandles"], let items = raw.arrayValue, !items.isEmpty else {
            throw .missing("EventHandles")
        }
        let handles = items.compactMap(\.lenientString)
        guard handles.count == items.count, handles.count <= Self.pullLimit else {
            throw .invalidValue("EventHandles must be 1 to \(Self.pullLimit) strings.")
        }
        let rejected: [String]
        do {
            rejected = try await environment.outbox.confirmEvents(handles: handles, tenant: principal.tenant, now: Date())
        } catch {
            throw .internalError
        }
        if !rejected.isEmpty {
            throw .invalidValue("EventHandles \(rejected.joined(separator: ", ")) are unknown or were pulled more than 30 seconds ago; pull them again.")
        }
        return [:]
    }
}
