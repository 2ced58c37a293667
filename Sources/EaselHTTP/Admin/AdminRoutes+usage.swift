import EaselCore
import EaselStore
import Foundation
import Hummingbird

extension AdminRoutes {
    func usage(_ request: Request) async throws(AdminError) -> AdminReply {
        let query = try AdminQuery(request, allowed: ["app_id", "sub_app_id", "key_id", "model", "since", "until"])
        let usageQuery = UsageQuery(appId: try query.id("app_id"), subAppId: try query.id("sub_app_id"),
                                    keyId: try query.string("key_id", maxLength: 64), model: try query.string("model", maxLength: 64),
                                    since: try query.day("since"), until: try query.day("until"))
        if let since = usageQuery.since, let until = usageQuery.until, since > until {
            throw .invalid("since (\(since)) must not be later than until (\(until)).")
        }
        let rows = try await environment.call { try await environment.store.usage(usageQuery) }
        let report = AdminUsageReport(rows: rows, prices: environment.prices)
        return AdminReply(body: report.json)
    }
}
