import EaselCore
import Foundation

/// The overview's figures over the tasks finished in the last day: counts, success rate, per-model throughput and
/// latency, and the hourly bars of the chart (SVG attributes, so the strict style policy needs no inline CSS).
struct ConsoleOverview {
    let lastHour: Int
    let lastDay: Int
    let successRate: String
    let models: [[String: Any]]
    let bars: [[String: Any]]

    init(finished: [TaskRecord], now: Date) {
        let day = finished.filter { ($0.finishedAt ?? $0.createdAt) > now.addingTimeInterval(-86400) }
        lastDay = day.count
        lastHour = day.filter { ($0.finishedAt ?? $0.createdAt) > now.addingTimeInterval(-3600) }.count
        let succeeded = day.filter { $0.status == .succeeded }.count
        successRate = day.isEmpty ? "–" : String(format: "%.1f%%", Double(succeeded) * 100 / Double(day.count))
        models = Dictionary(grouping: day, by: \.model).sorted { $0.key < $1.key }.map { model, tasks in
            let latencies = tasks.compactMap { task in task.finishedAt.map { $0.timeIntervalSince(task.createdAt) } }
            let runs = tasks.compactMap { task in task.startedAt.flatMap { start in task.finishedAt.map { $0.timeIntervalSince(start) } } }
            return [
                "model": model, "count": tasks.count, "per_hour": String(format: "%.1f", Double(tasks.count) / 24),
                "succeeded": tasks.filter { $0.status == .succeeded }.count,
                "latency": Self.seconds(latencies), "run": Self.seconds(runs),
            ]
        }
        var hours = [Int](repeating: 0, count: 24)
        for task in day {
            let age = Int(now.timeIntervalSince(task.finishedAt ?? task.createdAt) / 3600)
            if (0..<24).contains(age) { hours[23 - age] += 1 }
        }
        let highest = max(hours.max() ?? 0, 1)
        bars = hours.enumerated().map { index, value in
            let height = Int((Double(value) / Double(highest) * 100).rounded())
            return ["x": index * 20 + 2, "y": 100 - height, "height": height, "count": value, "hours_ago": 23 - index]
        }
    }

    private static func seconds(_ values: [TimeInterval]) -> String {
        values.isEmpty ? "–" : String(format: "%.2f s", values.reduce(0, +) / Double(values.count))
    }
}
