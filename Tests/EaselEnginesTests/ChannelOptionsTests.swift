import Testing
@testable import EaselEngines

/// Channel options are read once, when the engine is built: what worked still works, and anything else fails at
/// start with one line naming the upstream, the option and what is accepted.
@Suite struct ChannelOptionsTests {
    func channel(_ kind: ProviderKind, _ options: [String: String]) -> UpstreamChannel {
        UpstreamChannel(name: "main", kind: kind, baseURL: "http://127.0.0.1:1", models: [], options: options)
    }

    @Test(arguments: [
        (ProviderKind.kling, ["pol_interval_ms": "5"],
         "upstream main: option `pol_interval_ms` is not known to kling channels; accepted: max_image_bytes, poll_interval_ms."),
        (.kling, ["poll_interval_ms": "fast"],
         "upstream main: option `poll_interval_ms` must be a whole number of milliseconds from 1 to 600000, got `fast`."),
        (.midjourney, ["auth": "basic"], "upstream main: option `auth` must be one of bearer, mj-api-secret, got `basic`."),
        (.dashscope, ["mode": "asynch"], "upstream main: option `mode` must be one of sync, async, got `asynch`."),
        (.jimeng, ["return_url": "no"], "upstream main: option `return_url` must be true or false, got `no`."),
        (.vod, ["sub_app_id": "12a"], "upstream main: option `sub_app_id` must be a whole number (the VOD SubAppId), got `12a`."),
        (.openai, ["model": "x"], "upstream main: option `model` is not known to openai channels; accepted: none."),
        (.sandbox, ["latency_ms": "-1"],
         "upstream main: option `latency_ms` must be a whole number of milliseconds from 0 to 600000, got `-1`."),
    ])
    func badOptionsFailAtStartWithOneLine(kind: ProviderKind, options: [String: String], line: String) {
        let http = UpstreamHTTP { _ in throw CancellationError() }
        let error = #expect(throws: ProviderEngines.ConfigurationError.self) {
            try EngineRegistry.build(channels: [channel(kind, options).with(models: [ModelRoute(name: "X", version: "1")])],
                                     http: http, sandboxLatency: .zero)
        }
        #expect(error?.description == line)
    }

    @Test func everyOptionThatWorkedStillParses() throws {
        let http = UpstreamHTTP { _ in throw CancellationError() }
        let accepted: [(ProviderKind, [String: String])] = [
            (.kling, ["poll_interval_ms": "20"]), (.vidu, ["poll_interval_ms": "20"]), (.hunyuan, ["poll_interval_ms": "5"]),
            (.vod, ["mode": "REST", "sub_app_id": " 42 ", "poll_interval_ms": "5"]),
            (.midjourney, ["auth": "bearer", "max_image_bytes": "1000", "poll_interval_ms": "5"]),
            (.dashscope, ["mode": "async", "inline_images": "true", "edit_model": "e", "t2i_model": "t", "max_image_bytes": "9"]),
            (.jimeng, ["return_url": "false", "inline_images": "true", "scale": "0.5", "min_ratio": "0.5", "max_ratio": "2",
                       "logo_language": "1", "max_image_bytes": "100"]),
            (.openaiCompatible, ["model": "sd", "response_format": "url", "negative_prompt_style": "sdcpp",
                                 "max_download_bytes": "100"]),
            (.gemini, ["response_modalities": "TEXT,IMAGE", "person_generation": "true"]),
            (.ark, ["response_format": "b64_json", "max_image_bytes": "2000"]), (.sandbox, ["latency_ms": "0"]),
        ]
        for (kind, options) in accepted { _ = try ProviderEngines.engine(for: channel(kind, options), http: http) }
    }
}

extension UpstreamChannel {
    fileprivate func with(models: [ModelRoute]) -> UpstreamChannel {
        var copy = self
        copy.models = models
        return copy
    }
}
