import EaselCore
import Testing
@testable import EaselEngines

/// Providers refuse at create time what they cannot do.
@Suite struct ProviderCapabilitiesTests {
    let http = UpstreamHTTP { _ in throw CancellationError() }

    func channel(_ kind: ProviderKind) -> UpstreamChannel {
        UpstreamChannel(name: kind.rawValue, kind: kind, baseURL: "http://127.0.0.1:1", models: [],
                        options: kind == .vod ? ["sub_app_id": "1"] : [:])
    }

    @Test func vodPassThroughNeedsURLInputs() throws {
        let engine = try ProviderEngines.engine(for: channel(.vod), http: http)
        var request = ImageRequest(modelName: "Hunyuan", modelVersion: "3.0", prompt: "p")
        request.inputs = [InputImage(source: .url, url: "https://example.com/a.png")]
        #expect(engine.unsupportedReason(for: request) == nil)
        request.inputs.append(InputImage(source: .file, fileId: "1"))
        #expect(engine.unsupportedReason(for: request)?.contains("FileInfos") == true)
    }

    @Test func klingRefusesImageExpansionAndHunyuanSeveralImages() throws {
        var expand = ImageRequest(modelName: "Kling", modelVersion: "2.1", prompt: "p")
        expand.sceneType = "image_expand"
        #expect(try ProviderEngines.engine(for: channel(.kling), http: http).unsupportedReason(for: expand) != nil)
        var several = ImageRequest(modelName: "Hunyuan", modelVersion: "3.0", prompt: "p")
        several.outputImageCount = 2
        #expect(try ProviderEngines.engine(for: channel(.hunyuan), http: http).unsupportedReason(for: several) != nil)
    }

    @Test func routedEngineRefusesOnlyWhenNoChannelCan() throws {
        var request = ImageRequest(modelName: "Hunyuan", modelVersion: "3.0", prompt: "p")
        request.outputImageCount = 2
        let hunyuan = try ProviderEngines.engine(for: channel(.hunyuan), http: http)
        let sandbox = try ProviderEngines.engine(for: channel(.sandbox), http: http)
        let refusing = RoutedEngine(routes: [.init(channel: channel(.hunyuan), engine: hunyuan)])
        let mixed = RoutedEngine(routes: [.init(channel: channel(.hunyuan), engine: hunyuan),
                                          .init(channel: channel(.sandbox), engine: sandbox)])
        #expect(refusing.unsupportedReason(for: request) != nil)
        #expect(mixed.unsupportedReason(for: request) == nil)
    }
}
