import EaselCore
import EaselStore
import Foundation

/// Usage rows with their cost from the price table, and their totals. A row's cost is images × per_image +
/// succeeded × per_task of its model, null when the model has no price; the total cost adds the rows that have one
/// and is null when none has.
struct AdminUsageReport: Sendable {
    let rows: [UsageRow]
    let prices: [String: UsagePrice]

    func cost(_ row: UsageRow) -> Double? {
        guard let price = prices[row.model] else { return nil }
        return Self.rounded(Double(row.images) * (price.perImage ?? 0) + Double(row.succeeded) * (price.perTask ?? 0))
    }

    var json: JSONValue {
        var totals = UsageRow(day: "", tenant: Tenant(appId: 0, subAppId: 0), keyId: "", model: "")
        var totalCost: Double?
        var lines: [JSONValue] = []
        for row in rows {
            let cost = cost(row)
            totals.created += row.created
            totals.succeeded += row.succeeded
            totals.failed += row.failed
            totals.aborted += row.aborted
            totals.images += row.images
            totals.upstreamSeconds += row.upstreamSeconds
            if let cost { totalCost = (totalCost ?? 0) + cost }
            var line = Self.counts(row, cost: cost)
            line["day"] = .string(row.day)
            line["app_id"] = .int(row.tenant.appId)
            line["sub_app_id"] = .int(row.tenant.subAppId)
            line["key_id"] = .string(row.keyId)
            line["model"] = .string(row.model)
            lines.append(.object(line))
        }
        return .object(["usage": .array(lines), "totals": .object(Self.counts(totals, cost: totalCost.map(Self.rounded)))])
    }

    private static func counts(_ row: UsageRow, cost: Double?) -> [String: JSONValue] {
        [
            "created": .int(Int64(row.created)), "succeeded": .int(Int64(row.succeeded)), "failed": .int(Int64(row.failed)),
            "aborted": .int(Int64(row.aborted)), "images": .int(Int64(row.images)),
            "upstream_seconds": .double(rounded(row.upstreamSeconds)), "cost": cost.map(JSONValue.double) ?? .null,
        ]
    }

    // Micro-units: sums of binary fractions print as 0.12, not 0.12000000000000001.
    private static func rounded(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }
}
