/// Waits until `condition` holds, polling every few milliseconds; fails after `timeout` instead of spinning forever.
public func waitUntil(timeout: Duration = .seconds(30), _ what: String = "condition",
                      _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(try await condition()) {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A bounded wait that ran out.
public struct WaitTimedOut: Error, CustomStringConvertible {
    /// What was awaited.
    public let what: String
    public var description: String { "timed out waiting for \(what)" }
}
