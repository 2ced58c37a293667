import ArgumentParser
import Foundation

/// `easel-bench`: the helpers `Benchmarks/run.sh` measures Easel against. None of them is run by the tests.
@main
struct EaselBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "easel-bench",
        abstract: "Benchmark helpers for Easel (see BENCHMARKS.md).",
        subcommands: [BaselineRoute.self, FakeUpstream.self, ClaimLatency.self])
}

/// Percentiles of a set of durations, in milliseconds.
struct LatencySummary: CustomStringConvertible {
    let count: Int
    let p50: Double, p90: Double, p99: Double, max: Double, mean: Double

    init(nanoseconds samples: [UInt64]) {
        let sorted = samples.sorted()
        count = sorted.count
        func at(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let index = Swift.min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)
            return Double(sorted[Swift.max(index, 0)]) / 1e6
        }
        p50 = at(0.50); p90 = at(0.90); p99 = at(0.99)
        max = sorted.last.map { Double($0) / 1e6 } ?? .nan
        mean = sorted.isEmpty ? .nan : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1e6
    }

    var description: String {
        String(format: "n=%d p50=%.3fms p90=%.3fms p99=%.3fms max=%.3fms mean=%.3fms", count, p50, p90, p99, max, mean)
    }

    var json: [String: Any] { ["count": count, "p50_ms": p50, "p90_ms": p90, "p99_ms": p99, "max_ms": max, "mean_ms": mean] }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(seconds, 0)) * 1_000_000_000 + UInt64(max(attoseconds, 0) / 1_000_000_000)
    }
}
