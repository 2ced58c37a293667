import Testing

/// Runs `body` in a child task that is already cancelled when `body` starts, as at shutdown, so a test can check
/// that what it writes still reaches the store.
func inCancelledTask(_ body: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            withUnsafeCurrentTask { $0?.cancel() }
            #expect(Task.isCancelled)
            try await body()
        }
        try await group.waitForAll()
    }
}
