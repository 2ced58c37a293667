@testable import EaselCore
import Testing

/// Request validation: every error path with its code and dialect-spelled field, and the normalisations.
@Suite struct ValidationTests {
    let validator = RequestValidator(catalog: .standard)

    static func request(_ name: String, _ version: String, prompt: String? = "a red fox",
                        _ configure: (inout ImageRequest) -> Void = { _ in }) -> ImageRequest {
        var request = ImageRequest(modelName: name, modelVersion: version, prompt: prompt)
        configure(&request)
        return request
    }

    static func urls(_ count: Int) -> [InputImage] {
        (0..<count).map { InputImage(source: .url, url: "https://example.com/\($0).png") }
    }

    static func size(_ text: String) -> [String: JSONValue] { ["size": .string(text)] }

    func error(of request: ImageRequest, _ dialect: Dialect) -> APIError? {
        do {
            _ = try validator.validate(request, dialect: dialect)
            return nil
        } catch {
            return error
        }
    }

    /// One failing request: the code expected, the field its message must start with, and words it must contain.
    struct Failure: Sendable, CustomTestStringConvertible {
        var label: String
        var dialect: Dialect
        var request: ImageRequest
        var code = "InvalidParameterValue"
        var field: String
        var contains: [String] = []
        var testDescription: String { label }
    }

    static let failures: [Failure] = [
        Failure(label: "unknown model VOD", dialect: .vod, request: request("Foo", "1"), field: "ModelName:",
                contains: ["`Foo`", "GEM, GG, OG, SI, Qwen, Hunyuan, Vidu, Kling, Jimeng, MJ, Mingmou"]),
        Failure(label: "VOD model in MPS", dialect: .mps, request: request("GG", "2.5"), field: "ModelName:",
                contains: ["wand-vega-image"]),
        Failure(label: "MPS model in REST", dialect: .rest, request: request("wand-vega-image", "1.0-pro"), field: "model_name:"),
        Failure(label: "unknown OpenAI model", dialect: .openai, request: request("Foo", "1"), field: "model:",
                contains: ["GG-2.5", "wand-vega-image-1.0-pro"]),
        Failure(label: "unknown version VOD", dialect: .vod, request: request("GG", "9.9"), field: "ModelVersion:",
                contains: ["2.5, 3.0, 3.1, 3.1-lite"]),
        Failure(label: "unknown version REST", dialect: .rest, request: request("kling", "4.0"), field: "model_version:",
                contains: ["O1", "3.0-Omni"]),
        Failure(label: "MPS has no Kling scene", dialect: .mps, request: request("Kling", "scene"), field: "ModelVersion:"),
        Failure(label: "unknown version OpenAI", dialect: .openai, request: request("GG", "9"), field: "model:", contains: ["GG-3.1"]),
        Failure(label: "VOD version required", dialect: .vod, request: request("GG", ""), code: "MissingParameter",
                field: "The request is missing", contains: ["`ModelVersion`"]),
        Failure(label: "VOD name required", dialect: .vod, request: request("", "2.5"), code: "MissingParameter",
                field: "The request is missing", contains: ["`ModelName`"]),
        Failure(label: "too many references", dialect: .vod, request: request("GG", "2.5") { $0.inputs = urls(4) },
                field: "FileInfos: model GG 2.5 accepts at most 3 reference images, got 4"),
        Failure(label: "MPS GEM 3.0 limit", dialect: .mps, request: request("GEM", "3.0") { $0.inputs = urls(4) },
                field: "ImageInfos:", contains: ["at most 3"]),
        Failure(label: "REST too many", dialect: .rest, request: request("Kling", "3.0") { $0.inputs = urls(2) },
                field: "file_infos:", contains: ["at most 1"]),
        Failure(label: "OpenAI too many", dialect: .openai, request: request("Qwen", "0925") { $0.inputs = urls(2) },
                field: "image:"),
        Failure(label: "File without FileId", dialect: .vod, request: request("GG", "2.5") { $0.inputs = [InputImage(source: .file)] },
                field: "FileInfos.0.FileId:"),
        Failure(label: "relative URL", dialect: .vod,
                request: request("GG", "2.5") { $0.inputs = urls(1) + [InputImage(source: .url, url: "/a.png")] },
                field: "FileInfos.1.Url:", contains: ["http"]),
        Failure(label: "ftp URL MPS", dialect: .mps,
                request: request("Vidu", "q2") { $0.inputs = [InputImage(source: .url, url: "ftp://example.com/a.png")] },
                field: "ImageInfos.0.ImageUrl:"),
        Failure(label: "REST URL", dialect: .rest,
                request: request("Vidu", "q2") { $0.inputs = [InputImage(source: .url, url: "not a url")] },
                field: "file_infos.0.url:"),
        Failure(label: "data: prefix", dialect: .vod,
                request: request("GG", "2.5") { $0.inputs = [InputImage(source: .base64, base64: "data:image/png;base64,AAAA")] },
                field: "FileInfos.0.Base64:", contains: ["data:"]),
        Failure(label: "bad base64", dialect: .vod,
                request: request("GG", "2.5") { $0.inputs = [InputImage(source: .base64, base64: "@@@@")] },
                field: "FileInfos.0.Base64:", contains: ["base64"]),
        Failure(label: "base64 over 7 MB", dialect: .vod,
                request: request("GG", "3.0") {
                    $0.inputs = [InputImage(source: .base64, base64: String(repeating: "AAAA", count: 1_048_576)),
                                 InputImage(source: .base64, base64: String(repeating: "AAAA", count: 1_048_576))]
                },
                field: "FileInfos:", contains: ["7 MB"]),
        Failure(label: "Text on Kling", dialect: .vod,
                request: request("Kling", "2.1") { $0.inputs = [InputImage(source: .url, url: "https://e.com/a.png", text: "a cat")] },
                field: "FileInfos.0.Text:", contains: ["Kling 2.1"]),
        Failure(label: "mask on GG", dialect: .vod,
                request: request("GG", "2.5") { $0.inputs = [InputImage(source: .url, url: "https://e.com/a.png", referenceType: "mask")] },
                field: "FileInfos.0.ReferenceType:", contains: ["OG"]),
        Failure(label: "OG other reference type", dialect: .rest,
                request: request("OG", "image2_low") { $0.inputs = [InputImage(source: .url, url: "https://e.com/a.png", referenceType: "style")] },
                field: "file_infos.0.reference_type:", contains: ["mask"]),
        Failure(label: "OpenAI mask on GG", dialect: .openai,
                request: request("GG", "2.5") { $0.inputs = [InputImage(source: .url, url: "https://e.com/a.png", referenceType: "mask")] },
                field: "mask:"),
        Failure(label: "resolution not in set", dialect: .vod, request: request("GG", "2.5") { $0.resolution = "8K" },
                field: "OutputConfig.Resolution:", contains: ["`8K`", "1K, 2K, 4K"]),
        Failure(label: "resolution on Qwen", dialect: .vod, request: request("Qwen", "0925") { $0.resolution = "1K" },
                field: "OutputConfig.Resolution:", contains: ["size"]),
        Failure(label: "resolution on Jimeng", dialect: .vod, request: request("Jimeng", "4.0") { $0.resolution = "2K" },
                field: "OutputConfig.Resolution:", contains: ["prompt"]),
        Failure(label: "MPS Kling 4K", dialect: .mps, request: request("Kling", "2.1") { $0.resolution = "4K" },
                field: "ExtraParameters.Resolution:", contains: ["1K, 2K"]),
        Failure(label: "REST aspect", dialect: .rest, request: request("GG", "2.5") { $0.aspectRatio = "7:3" },
                field: "output_config.aspect_ratio:", contains: ["21:9"]),
        Failure(label: "aspect on SI", dialect: .vod, request: request("SI", "4.0") { $0.aspectRatio = "16:9" },
                field: "OutputConfig.AspectRatio:", contains: ["prompt"]),
        Failure(label: "aspect on MJ MPS", dialect: .mps, request: request("MJ", "v7") { $0.aspectRatio = "16:9" },
                field: "ExtraParameters.AspectRatio:", contains: ["prompt"]),
        Failure(label: "auto on Kling 2.1", dialect: .vod, request: request("Kling", "2.1") { $0.aspectRatio = "auto" },
                field: "OutputConfig.AspectRatio:"),
        Failure(label: "auto on MPS Kling O1", dialect: .mps, request: request("Kling", "O1") { $0.aspectRatio = "auto" },
                field: "ExtraParameters.AspectRatio:"),
        Failure(label: "GG count 4", dialect: .vod, request: request("GG", "2.5") { $0.outputImageCount = 4 },
                field: "OutputConfig.OutputImageCount:", contains: ["got 4", "allowed range: 1–1"]),
        Failure(label: "Kling count 10", dialect: .vod, request: request("Kling", "2.1") { $0.outputImageCount = 10 },
                field: "OutputConfig.OutputImageCount:", contains: ["1–9"]),
        Failure(label: "OG count 9", dialect: .rest, request: request("OG", "image2_high") { $0.outputImageCount = 9 },
                field: "output_config.output_image_count:", contains: ["1–8"]),
        Failure(label: "MPS count 0", dialect: .mps, request: request("Kling", "2.1") { $0.outputImageCount = 0 },
                field: "OutputImageCount:"),
        Failure(label: "OpenAI n over 10", dialect: .openai, request: request("GG", "2.5") { $0.outputImageCount = 11 }, field: "n:"),
        Failure(label: "size on GG", dialect: .vod, request: request("GG", "2.5") { $0.additionalParameters = size("1024x1024") },
                field: "ExtInfo.AdditionalParameters.size:", contains: ["OutputConfig.Resolution"]),
        Failure(label: "Hunyuan over area", dialect: .vod, request: request("Hunyuan", "3.0") { $0.additionalParameters = size("2048x2048") },
                field: "ExtInfo.AdditionalParameters.size:", contains: ["1048576"]),
        Failure(label: "MPS Hunyuan small side", dialect: .mps, request: request("Hunyuan", "3.0") { $0.additionalParameters = size("256x256") },
                field: "AdditionalParameters.size:", contains: ["512–2048"]),
        Failure(label: "OG not divisible", dialect: .vod, request: request("OG", "image2_low") { $0.additionalParameters = size("1000x1000") },
                field: "ExtInfo.AdditionalParameters.size:", contains: ["divisible by 16"]),
        Failure(label: "Qwen too small", dialect: .rest, request: request("Qwen", "0925") { $0.additionalParameters = size("100*100") },
                field: "ext_info.AdditionalParameters.size:", contains: ["261632"]),
        Failure(label: "SI 4.5 too small", dialect: .vod, request: request("SI", "4.5") { $0.size = PixelSize(width: 1024, height: 1024) },
                field: "ExtInfo.AdditionalParameters.size:", contains: ["3686400"]),
        Failure(label: "malformed size", dialect: .vod, request: request("Qwen", "0925") { $0.additionalParameters = size("big") },
                field: "ExtInfo.AdditionalParameters.size:", contains: ["WIDTHxHEIGHT"]),
        Failure(label: "scene on GG", dialect: .vod, request: request("GG", "2.5") { $0.sceneType = "image_expand" },
                field: "SceneType:", contains: ["supports no scene type"]),
        Failure(label: "panorama on Kling", dialect: .rest,
                request: request("Kling", "2.1") { $0.sceneType = "3d_panorama"; $0.inputs = urls(1) },
                field: "scene_type:", contains: ["image_expand"]),
        Failure(label: "MPS Kling expand", dialect: .mps,
                request: request("Kling", "2.1") { $0.sceneType = "image_expand"; $0.inputs = urls(1) }, field: "SceneType:"),
        Failure(label: "no prompt no inputs", dialect: .vod, request: request("GG", "2.5", prompt: nil), code: "MissingParameter",
                field: "The request is missing", contains: ["`Prompt`"]),
        Failure(label: "blank prompt REST", dialect: .rest, request: request("GG", "2.5", prompt: " \n "), code: "MissingParameter",
                field: "The request is missing", contains: ["`prompt`"]),
        Failure(label: "MPS prompt 1001", dialect: .mps, request: request("Hunyuan", "3.0", prompt: String(repeating: "a", count: 1001)),
                field: "Prompt:", contains: ["1000", "1001"]),
        Failure(label: "VOD prompt 10001", dialect: .vod, request: request("GG", "2.5", prompt: String(repeating: "a", count: 10_001)),
                field: "Prompt:", contains: ["10000"]),
        Failure(label: "negative prompt", dialect: .vod,
                request: request("GG", "2.5") { $0.negativePrompt = String(repeating: "b", count: 1001) }, field: "NegativePrompt:"),
        Failure(label: "output format", dialect: .vod, request: request("GG", "2.5") { $0.outputFormat = "gif" },
                field: "OutputConfig.OutputFormat:", contains: ["jpeg, png"]),
        Failure(label: "MPS output format", dialect: .mps, request: request("Vidu", "q2") { $0.outputFormat = "webp" },
                field: "ExtraParameters.OutputFormat:"),
        Failure(label: "person generation", dialect: .vod, request: request("GG", "2.5") { $0.personGeneration = "Maybe" },
                field: "OutputConfig.PersonGeneration:", contains: ["AllowAdult, Disallowed"]),
        Failure(label: "input region", dialect: .rest, request: request("GG", "2.5") { $0.inputRegion = "Mars" },
                field: "input_region:", contains: ["Mainland, Oversea, OverseaUSWest"]),
        Failure(label: "media name", dialect: .vod, request: request("GG", "2.5") { $0.mediaName = String(repeating: "m", count: 65) },
                field: "OutputConfig.MediaName:"),
        Failure(label: "expansion ratio over 2", dialect: .vod,
                request: request("Kling", "2.1") {
                    $0.sceneType = "image_expand"; $0.inputs = urls(1); $0.additionalParameters = ["up_expansion_ratio": .double(2.5)]
                },
                field: "ExtInfo.AdditionalParameters.up_expansion_ratio:", contains: ["[0, 2]"]),
        Failure(label: "expansion ratio not a number", dialect: .rest,
                request: request("Kling", "2.1") {
                    $0.sceneType = "image_expand"; $0.inputs = urls(1); $0.additionalParameters = ["left_expansion_ratio": .string("wide")]
                },
                field: "ext_info.AdditionalParameters.left_expansion_ratio:"),
        Failure(label: "expansion over 3x", dialect: .vod,
                request: request("Kling", "2.1") {
                    $0.sceneType = "image_expand"; $0.inputs = urls(1)
                    $0.additionalParameters = ["up_expansion_ratio": .int(1), "down_expansion_ratio": .int(1), "left_expansion_ratio": .double(0.5)]
                },
                field: "ExtInfo.AdditionalParameters:", contains: ["3×"]),
        Failure(label: "expansion needs an image", dialect: .vod, request: request("Kling", "2.1") { $0.sceneType = "image_expand" },
                code: "MissingParameter", field: "The request is missing", contains: ["`FileInfos`"]),
        Failure(label: "OpenAI free size too big", dialect: .openai,
                request: request("MJ", "v7") { $0.size = PixelSize(width: 10_000, height: 10_000) }, field: "size:"),
    ]

    @Test(arguments: failures)
    func rejects(_ failure: Failure) throws {
        let error = try #require(self.error(of: failure.request, failure.dialect))
        #expect(error.code.rawValue == failure.code)
        #expect(error.message.hasPrefix(failure.field), "\(error.message)")
        for word in failure.contains {
            #expect(error.message.contains(word), "\(error.message) lacks \(word)")
        }
    }

    @Test func everyModelValidatesInEachOfItsDialects() throws {
        for spec in ModelCatalog.standard.all {
            for dialect in spec.dialects {
                let request = Self.request(spec.name.uppercased(), spec.version.lowercased())
                let validated = try validator.validate(request, dialect: dialect)
                #expect(validated.spec == spec || dialect == .openai, "\(spec) \(dialect)")
                #expect(validated.request.modelName == spec.name && validated.request.modelVersion == spec.version)
                #expect(validated.outputFormat == "png" && validated.outputImageCount == 1)
            }
        }
    }

    @Test func normalisesSpellings() throws {
        let request = Self.request("kling", "o1") {
            $0.resolution = "2K"; $0.aspectRatio = "AUTO"; $0.outputFormat = "JPG"; $0.personGeneration = "allow_adult"
            $0.inputRegion = "overseauswest"; $0.sceneType = "IMAGE_EXPAND"; $0.inputs = Self.urls(1); $0.outputImageCount = 9
            $0.additionalParameters = ["up_expansion_ratio": .string("0.5"), "right_expansion_ratio": .double(0.4)]
            $0.seed = -42
        }
        let validated = try validator.validate(request, dialect: .vod)
        let normal = validated.request
        #expect(normal.modelName == "Kling" && normal.modelVersion == "O1")
        #expect(normal.resolution == "2k" && normal.aspectRatio == "auto" && normal.outputFormat == "jpeg")
        #expect(normal.personGeneration == "AllowAdult" && normal.inputRegion == "OverseaUSWest" && normal.sceneType == "image_expand")
        #expect(validated.outputSize == PixelSize(width: 2048, height: 2048))
        #expect(validated.outputImageCount == 9)
    }

    @Test func emptyOptionalStringsAreAbsent() throws {
        let request = Self.request("GG", "2.5") { $0.resolution = ""; $0.aspectRatio = " "; $0.outputFormat = ""; $0.sceneType = "" }
        let validated = try validator.validate(request, dialect: .rest)
        #expect(validated.request.resolution == nil && validated.request.sceneType == nil)
        #expect(validated.outputSize == PixelSize(width: 1024, height: 1024))
    }

    @Test(arguments: [
        ("Hunyuan", "3.0", "1024x1024", "1024x1024"), ("Hunyuan", "3.0", "728x1024", "728x1024"),
        ("Qwen", "0925", "728*1024", "728x1024"), ("OG", "image2_medium", "1536x1024", "1536x1024"),
        ("SI", "5.0-lite", "2560x1440", "2560x1440"),
    ])
    func explicitSizes(name: String, version: String, size: String, expected: String) throws {
        let request = Self.request(name, version) { $0.additionalParameters = Self.size(size) }
        let validated = try validator.validate(request, dialect: .vod)
        #expect(validated.request.size?.description == expected)
        #expect(validated.outputSize.description == expected)
    }

    @Test func mpsDefaults() throws {
        let bare = try validator.validate(ImageRequest(modelName: "", modelVersion: "", prompt: "draw a cat"), dialect: .mps)
        #expect(bare.spec.description == "GEM 2.5" && bare.request.modelName == "GEM")
        let fanOut = try validator.validate(Self.request("GG", "2.5") { $0.outputImageCount = 4 }, dialect: .openai)
        #expect(fanOut.request.outputImageCount == 4)
        let kling = try validator.validate(Self.request("kling", ""), dialect: .mps)
        #expect(kling.request.modelVersion == "2.1")
        let longPrompt = Self.request("GG", "2.5", prompt: String(repeating: "a", count: 5000))
        #expect(throws: Never.self) { try validator.validate(longPrompt, dialect: .vod) }
    }

    @Test(arguments: [
        ("GG", "2.5", "1536x1024", "3:2", "1K", nil), ("Kling", "3.0-Omni", "1792x1024", "16:9", "1k", nil),
        ("SI", "4.5", "1024x1024", nil, nil, "1920x1920"), ("Hunyuan", "3.0", "1536x1024", nil, nil, "1248x832"),
        ("MJ", "v7", "1536x1024", nil, nil, "1536x1024"), ("OG", "image2_high", "1024x1536", nil, nil, "1024x1536"),
    ] as [(String, String, String, String?, String?, String?)])
    func openAISizesAreMapped(name: String, version: String, size: String, aspect: String?, resolution: String?,
                              explicit: String?) throws {
        let request = Self.request(name, version) { $0.size = PixelSize(parsing: size) }
        let validated = try validator.validate(request, dialect: .openai)
        #expect(validated.request.aspectRatio == aspect && validated.request.resolution == resolution)
        #expect(validated.request.size?.description == explicit)
        if let explicit { #expect(validated.outputSize.description == explicit) }
    }

    @Test func acceptedInputs() throws {
        let wrapped = String(repeating: "QUFB", count: 40).enumerated().map { $0.offset % 76 == 75 ? "\($0.element)\n" : "\($0.element)" }.joined()
        let request = Self.request("OG", "image2_low", prompt: nil) {
            $0.inputs = [InputImage(source: .base64, base64: wrapped), InputImage(source: .base64, base64: "QUE"),
                         InputImage(source: .file, fileId: "3704211509819"),
                         InputImage(source: .url, url: "HTTPS://example.com/m.png", referenceType: "MASK")]
            $0.outputImageCount = 8
        }
        let validated = try validator.validate(request, dialect: .vod)
        #expect(validated.request.inputs[3].referenceType == "mask")
        let vidu = Self.request("Vidu", "q2") { $0.inputs = [InputImage(source: .url, url: "https://e.com/a.png", referenceType: "subject-1")] }
        #expect(throws: Never.self) { try validator.validate(vidu, dialect: .mps) }
        let text = Self.request("GEM", "2.5") { $0.inputs = [InputImage(source: .url, url: "https://e.com/a.png", text: "the car")] }
        #expect(throws: Never.self) { try validator.validate(text, dialect: .vod) }
    }

    @Test func storageModes() throws {
        #expect(try RequestValidator.storageMode("permanent", dialect: .vod) == .permanent)
        #expect(try RequestValidator.storageMode(nil, dialect: .vod) == .temporary)
        #expect(try RequestValidator.storageMode("", dialect: .rest) == .temporary)
        #expect(throws: APIError.invalidValue("OutputConfig.StorageMode: `Forever` is not a storage mode; allowed values: Temporary, Permanent")) {
            try RequestValidator.storageMode("Forever", dialect: .vod)
        }
        do {
            _ = try RequestValidator.storageMode("x", dialect: .rest)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("output_config.storage_mode:"))
        }
    }
}
