import EaselCore
import EaselStore
import Foundation
import Hummingbird

extension ConsoleRoutes {
    /// The most tasks the overview reads for its day figures; beyond it the figures say "at least".
    static let overviewLimit = 2000

    /// `GET /console`: waiting and running tasks, tasks finished in the last hour and day, the success rate,
    /// throughput and latency per model, and a chart of finished tasks per hour.
    func overview(_ signed: ConsoleSigned, fragment: Bool) async throws(AdminError) -> Response {
        let store = environment.store
        let tenant = signed.tenant
        let now = Date()
        let count = { (statuses: [TaskStatus]) async throws(AdminError) -> Int in
            try await environment.call {
                try await store.searchTasks(TaskQuery(appId: tenant?.appId, subAppId: tenant?.subAppId, statuses: statuses,
                                                      limit: 500)).tasks.count
            }
        }
        let waiting = try await count([.waiting]), running = try await count([.processing])
        var finished: [TaskRecord] = []
        var cursor: Int64?
        repeat {
            let query = TaskQuery(appId: tenant?.appId, subAppId: tenant?.subAppId, statuses: [.succeeded, .failed, .aborted],
                                  createdFrom: now.addingTimeInterval(-86400), after: cursor, limit: 500)
            let page = try await environment.call { try await store.searchTasks(query) }
            finished += page.tasks
            cursor = page.nextCursor
        } while cursor != nil && finished.count < Self.overviewLimit
        let overview = ConsoleOverview(finished: finished, now: now)
        let values: [String: Any] = [
            "title": "Overview", "nav_overview": true, "waiting": Self.capped(waiting, 500), "running": Self.capped(running, 500),
            "hour": overview.lastHour, "day": Self.capped(overview.lastDay, Self.overviewLimit),
            "success_rate": overview.successRate, "models": overview.models, "bars": overview.bars,
            "no_models": overview.models.isEmpty,
        ]
        return fragment ? ConsolePages.html(pages.render("overview_live", values)) : page("overview", values, signed: signed)
    }

    static func capped(_ count: Int, _ limit: Int) -> String {
        count >= limit ? "\(limit)+" : "\(count)"
    }
}

extension ConsoleRoutes {
    /// `GET /console/events`: a `changed` event whenever the session's newest tasks change (list and overview).
    func listStream(_ request: Request, _ signed: ConsoleSigned, context: EaselRequestContext) throws(AdminError) -> Response {
        // The admin's streams are counted under app 0/0, which no real app uses.
        guard let ticket = environment.server.streamLimiter.acquire(signed.tenant ?? Tenant(appId: 0, subAppId: 0)) else {
            throw AdminError(.conflict, "Too many open console streams; close a console tab.")
        }
        return ConsoleChangeStream(environment: environment.server, store: environment.store, tenant: signed.tenant,
                                   channel: context.channel).response(ticket: ticket)
    }
}
