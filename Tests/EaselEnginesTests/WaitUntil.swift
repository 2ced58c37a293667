/// Waits until `condition` holds, polling every few milliseconds; fails after `timeout` instead of spinning forever.
func waitUntil(timeout: Duration = .seconds(20), _ what: String = "condition",
               _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A bounded wait that ran out.
struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}
