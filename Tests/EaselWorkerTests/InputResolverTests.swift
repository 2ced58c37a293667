import EaselBlobs
import EaselCore
import EaselEngines
import Foundation
import Synchronization
import Testing
@testable import EaselWorker

@Suite struct InputResolverTests {
    let png = SandboxRenderer().render(prompt: "ref", seed: 1, index: 0, width: 32, height: 16, format: .png).bytes
    let tenant = Tenant(appId: 1, subAppId: 1)

    func resolver(allowed: Set<String> = ["127.0.0.1"], maxBytes: Int = 7 * 1024 * 1024, maxPixels: Int = 50_000_000,
                  answer: @escaping @Sendable (UpstreamRequest) -> UpstreamResponse) throws -> InputResolver {
        let harness = try WorkerHarness(engine: ProbeEngine())
        return InputResolver(media: harness.store, blobs: harness.blobs, http: UpstreamHTTP { answer($0) },
                             policy: CallbackURLPolicy(allowedHosts: allowed), maxBytes: maxBytes, maxPixels: maxPixels)
    }

    func code(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as EngineError {
            return error.code.rawValue
        } catch {
            return "\(error)"
        }
    }

    @Test func fetchesURLsAndBase64() async throws {
        let png = self.png
        let inputs = try resolver { _ in UpstreamResponse(status: 200, body: png) }
        let resolved = try await inputs.resolve([
            InputImage(source: .url, url: "http://127.0.0.1:9/a.png", text: "a ref"),
            InputImage(source: .base64, base64: Data(png).base64EncodedString()),
        ], tenant: tenant)
        #expect(resolved.map(\.info.width) == [32, 32] && resolved[0].sourceURL == "http://127.0.0.1:9/a.png")
        #expect(resolved[0].text == "a ref")
    }

    @Test func refusesInternalAddressesAndRedirectsToThem() async throws {
        let png = self.png
        let inputs = try resolver(allowed: []) { request in
            request.url.contains("public")
                ? UpstreamResponse(status: 302, headers: [("Location", "http://169.254.169.254/latest/meta-data")])
                : UpstreamResponse(status: 200, body: png)
        }
        let loopback = await code { _ = try await inputs.resolve([InputImage(source: .url, url: "http://127.0.0.1/a.png")], tenant: tenant) }
        #expect(loopback == "InvalidParameterValue")
        let metadata = await code { _ = try await inputs.resolve([InputImage(source: .url, url: "http://169.254.169.254/x")], tenant: tenant) }
        #expect(metadata == "InvalidParameterValue")
        let scheme = await code { _ = try await inputs.resolve([InputImage(source: .url, url: "file:///etc/passwd")], tenant: tenant) }
        #expect(scheme == "InvalidParameterValue")
    }

    @Test func refusesWhatIsNotASafeImage() async throws {
        let big = try resolver(maxBytes: 100) { _ in UpstreamResponse(status: 200, body: Array(repeating: 0, count: 101)) }
        let tooLarge = await code { _ = try await big.resolve([InputImage(source: .url, url: "http://127.0.0.1/a")], tenant: tenant) }
        #expect(tooLarge == "InvalidParameterValue")
        let text = try resolver { _ in UpstreamResponse(status: 200, body: Array("<html>".utf8)) }
        let notImage = await code { _ = try await text.resolve([InputImage(source: .url, url: "http://127.0.0.1/a")], tenant: tenant) }
        #expect(notImage == "InvalidParameter.MediaFormat")
        let png = self.png
        let bomb = try resolver(maxPixels: 100) { _ in UpstreamResponse(status: 200, body: png) }
        let tooManyPixels = await code { _ = try await bomb.resolve([InputImage(source: .url, url: "http://127.0.0.1/a")], tenant: tenant) }
        #expect(tooManyPixels == "InvalidParameterValue")
        let missing = try resolver { _ in UpstreamResponse(status: 404) }
        let notFound = await code { _ = try await missing.resolve([InputImage(source: .url, url: "http://127.0.0.1/a")], tenant: tenant) }
        #expect(notFound == "InvalidParameterValue")
        let unknownFile = await code { _ = try await missing.resolve([InputImage(source: .file, fileId: "1")], tenant: tenant) }
        #expect(unknownFile == "InvalidParameterValue.FileId")
    }
}
