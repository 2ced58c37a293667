import EaselBlobs
import EaselCore
import EaselStore
import Foundation
import Logging
import Testing
@testable import EaselWorker

@Suite(.timeLimit(.minutes(2))) struct SweeperTests {
    @Test func deletesExpiredOutputsAndTasksPastRetention() async throws {
        let harness = try WorkerHarness(engine: ProbeEngine())
        let tenant = Tenant(appId: 5, subAppId: 5)
        var settings = WorkerSettings()
        settings.taskRetention = [.vod: .seconds(10 * 86_400)]
        let sweeper = Sweeper(store: harness.store, outbox: harness.store, blobs: harness.blobs, settings: settings,
                              logger: Logger(label: "test"))
        try await harness.withDispatcher {
            let task = try await harness.submit(tenant)
            let done = try await harness.service.waitForCompletion(id: task.id, tenant: tenant, timeout: .seconds(60))
            #expect(done.status == .succeeded)
            let output = try #require(done.outputs.first)
            let expiry = try #require(output.expiresAt)

            // Before expiry nothing goes; after it the file goes but the record stays until retention ends.
            await sweeper.sweep(now: expiry - 60)
            #expect(try await harness.blobs.get(key: output.blobKey) != nil)
            await sweeper.sweep(now: expiry + 1)
            #expect(try await harness.blobs.get(key: output.blobKey) == nil)
            #expect(try await harness.store.task(id: task.id, tenant: tenant) != nil)
            let finished = try #require(done.finishedAt)
            await sweeper.sweep(now: finished + 10 * 86_400 + 1)
            #expect(try await harness.store.task(id: task.id, tenant: tenant) == nil)
        }
    }
}
