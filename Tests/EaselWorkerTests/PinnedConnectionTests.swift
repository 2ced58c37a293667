import EaselCore
import EaselEngines
import Foundation
import Synchronization
import Testing
@testable import EaselWorker

/// The SSRF guard connects to the address it checked: input fetches resolve each hop once, check it, and reach it
/// through a client pinned to that address. The names used here (`*.test`) do not resolve in real DNS, so a fetch
/// that succeeds can only have gone to the address the stub resolver returned.
@Suite(.timeLimit(.minutes(1))) struct PinnedConnectionTests {
    let png = SandboxRenderer().render(prompt: "ref", seed: 1, index: 0, width: 32, height: 16, format: .png).bytes
    let tenant = Tenant(appId: 1, subAppId: 1)

    /// A resolver answering from `table`, counting lookups per host.
    final class StubDNS: Sendable {
        let table: [String: [String]]
        let lookups = Mutex<[String]>([])
        init(_ table: [String: [String]]) { self.table = table }

        var resolver: AddressResolver {
            AddressResolver { host, _ in
                self.lookups.withLock { $0.append(host) }
                guard let answer = self.table[host] else { throw AddressResolver.Failure(host: host) }
                return answer
            }
        }
    }

    func inputs(_ dns: StubDNS) throws -> InputResolver {
        let harness = try WorkerHarness(engine: ProbeEngine())
        let shared = UpstreamHTTP { _ in
            Issue.record("a checked host must not go through the shared transport")
            throw CancellationError()
        }
        var resolver = InputResolver(media: harness.store, blobs: harness.blobs, http: shared,
                                     policy: CallbackURLPolicy(), resolver: dns.resolver)
        // Loopback stands in for a public address here; every other private address stays refused.
        resolver.permitsAddress = { $0 == "127.0.0.1" }
        return resolver
    }

    /// Runs `body` with a started server and stops it afterwards whatever happens.
    func withServer<T>(_ answer: @escaping @Sendable (String) -> LoopbackHTTPServer.Answer,
                       _ body: (LoopbackHTTPServer) async throws -> T) async throws -> T {
        let server = try await LoopbackHTTPServer.start(answer: answer)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(server))
        } catch {
            result = .failure(error)
        }
        await server.stop()
        return try result.get()
    }

    @Test func inputFetchConnectsToTheAddressThatWasChecked() async throws {
        let png = self.png
        try await withServer({ _ in .init(status: 200, body: png) }) { server in
            let dns = StubDNS(["rebind.test": ["127.0.0.1"]])
            let url = "http://rebind.test:\(server.port)/a.png"
            let resolved = try await inputs(dns).resolve([InputImage(source: .url, url: url)], tenant: tenant)
            #expect(resolved.map(\.info.width) == [32])
            #expect(server.hosts == ["rebind.test:\(server.port)"], "the request named the original host")
            #expect(dns.lookups.withLock { $0 } == ["rebind.test"], "resolved once: no second answer can be used")
        }
    }

    @Test func everyRedirectHopIsCheckedAndPinnedAgain() async throws {
        let png = self.png
        try await withServer({ _ in .init(status: 200, body: png) }) { target in
            let port = target.port
            try await withServer({ _ in .init(status: 302, headers: [("Location", "http://second.test:\(port)/b.png")]) }) { first in
                let start = "http://first.test:\(first.port)/start"
                let allowed = StubDNS(["first.test": ["127.0.0.1"], "second.test": ["127.0.0.1"]])
                let resolved = try await inputs(allowed).resolve([InputImage(source: .url, url: start)], tenant: tenant)
                #expect(resolved.map(\.info.width) == [32])
                #expect(allowed.lookups.withLock { $0 } == ["first.test", "second.test"])
                #expect(first.hosts == ["first.test:\(first.port)"] && target.hosts == ["second.test:\(port)"])

                let internalHop = StubDNS(["first.test": ["127.0.0.1"], "second.test": ["10.0.0.7"]])
                await #expect {
                    _ = try await inputs(internalHop).resolve([InputImage(source: .url, url: start)], tenant: tenant)
                } throws: { error in
                    (error as? EngineError)?.code == "InvalidParameterValue"
                        && (error as? EngineError)?.message.contains("private or internal address") == true
                }
                #expect(target.hosts == ["second.test:\(port)"], "the refused hop was never connected to")
            }
        }
    }

    @Test func aNameThatResolvesToAnyInternalAddressIsRefused() async throws {
        let dns = StubDNS(["mixed.test": ["127.0.0.1", "169.254.169.254"]])
        await #expect {
            _ = try await inputs(dns).resolve([InputImage(source: .url, url: "http://mixed.test/a.png")], tenant: tenant)
        } throws: { error in
            (error as? EngineError)?.code == "InvalidParameterValue"
        }
    }
}
