import EaselCore
import EaselStore
import Foundation

/// The usage report: the admin API's `{"usage": [...], "totals": {...}}`, built from the local store's rows the same
/// way, and rendered as a table with a totals line.
struct UsageReport: Sendable, Equatable {
    var rows: [JSONValue]
    var totals: JSONValue

    static let counters = ["created", "succeeded", "failed", "aborted", "images"]

    /// The report as the admin API answers it.
    var json: JSONValue { .object(["usage": .array(rows), "totals": totals]) }

    /// Reads an admin API answer.
    init(answer: JSONValue) {
        rows = answer["usage"]?.arrayValue ?? []
        totals = answer["totals"] ?? .object([:])
    }

    /// Builds the report from store rows, pricing them with `prices` (cost = images × per_image + succeeded ×
    /// per_task; null for a model without a price).
    init(rows usage: [UsageRow], prices: [String: UsagePrice]) {
        var totals: [String: Int64] = [:]
        var seconds = 0.0
        var cost: Double?
        rows = usage.map { row in
            let price = prices[row.model] ?? prices.first { $0.key.lowercased() == row.model.lowercased() }?.value
            let rowCost = price.map { Double(row.images) * ($0.perImage ?? 0) + Double(row.succeeded) * ($0.perTask ?? 0) }
            if let rowCost { cost = (cost ?? 0) + rowCost }
            seconds += row.upstreamSeconds
            let counts = [row.created, row.succeeded, row.failed, row.aborted, row.images]
            for (name, value) in zip(Self.counters, counts) { totals[name, default: 0] += Int64(value) }
            var object: [String: JSONValue] = [
                "day": .string(row.day), "app_id": .int(row.tenant.appId), "sub_app_id": .int(row.tenant.subAppId),
                "key_id": .string(row.keyId), "model": .string(row.model), "upstream_seconds": .double(row.upstreamSeconds),
                "cost": rowCost.map { .double($0) } ?? .null,
            ]
            for (name, value) in zip(Self.counters, counts) { object[name] = .int(Int64(value)) }
            return .object(object)
        }
        var total: [String: JSONValue] = ["upstream_seconds": .double(seconds), "cost": cost.map { .double($0) } ?? .null]
        for name in Self.counters { total[name] = .int(totals[name] ?? 0) }
        self.totals = .object(total)
    }

    /// A table of the rows and a final `total` line.
    func table() -> String {
        let keys = ["day", "app_id", "sub_app_id", "key_id", "model"] + Self.counters + ["upstream_seconds", "cost"]
        let numeric = Set(["app_id", "sub_app_id", "upstream_seconds", "cost"] + Self.counters)
        let columns = keys.map { TextTable.Column(header: $0.uppercased(), rightAligned: numeric.contains($0)) }
        var cells = rows.map { row in keys.map { Self.cell(row[$0], key: $0) } }
        cells.append(keys.map { key in
            key == "day" ? "total" : ["app_id", "sub_app_id", "key_id", "model"].contains(key) ? "" : Self.cell(totals[key], key: key)
        })
        return TextTable(columns: columns, rows: cells).render()
    }

    // Seconds with one decimal, costs with up to four.
    static func cell(_ value: JSONValue?, key: String) -> String {
        switch (key, value) {
        case ("upstream_seconds", .double(let seconds)?): String(format: "%.1f", seconds)
        case ("cost", .double(let cost)?): String(format: "%.4f", cost)
        case ("cost", .int(let cost)?): String(format: "%.4f", Double(cost))
        default: TextTable.cell(value)
        }
    }
}
