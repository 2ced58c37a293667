/// Decodes VOD `CreateAigcImageTask` parameters (JSON body, or flattened GET/v1 parameters) leniently.
public enum VODCreateDecoder {
    /// Decodes the parameters. `requireSubAppId` is false for the REST proxy, whose reseller supplies it.
    public static func decode(_ params: FieldReader, requireSubAppId: Bool = true) throws(APIError) -> CreateCommand {
        let subAppId = try params.int("SubAppId")
        if requireSubAppId && subAppId == nil { throw .missing(params.name("SubAppId")) }
        var request = ImageRequest(modelName: try params.requiredString("ModelName"),
                                   modelVersion: try params.requiredString("ModelVersion"),
                                   prompt: try params.string("Prompt"))
        request.negativePrompt = try params.string("NegativePrompt")
        request.enhancePrompt = try params.switchValue("EnhancePrompt")
        // Clients built from form defaults send one entry with every field empty; it means "no reference".
        request.inputs = try params.objects("FileInfos").filter { !isBlank($0.value) }
            .map { info throws(APIError) in try inputImage(info) }
        if let output = try params.object("OutputConfig") {
            try decodeOutputConfig(output, into: &request)
        }
        request.inputRegion = try params.string("InputRegion")
        request.sceneType = try params.string("SceneType")
        request.seed = try params.int("Seed")
        if let extInfo = try params.string("ExtInfo"), !extInfo.isEmpty {
            request.extInfo = extInfo
            // ExtInfo is free-form ("myextinfo" in the official example); only a JSON object carries parameters.
            if let members = JSONValue.string(extInfo).lenientObject {
                request.additionalParameters = try FieldReader(.object(members), path: "ExtInfo", display: params.display)
                    .embeddedJSON("AdditionalParameters")
            }
        }
        let priority = try params.int("TasksPriority") ?? 0
        return CreateCommand(request: request, subAppId: subAppId, priority: Int(clamping: priority),
                             sessionId: try params.string("SessionId"), sessionContext: try params.string("SessionContext"),
                             callbackURL: try params.string("CallbackUrl"))
    }

    static func isBlank(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.trimmingWhitespace().isEmpty
        case .object(let members): members.values.allSatisfy(isBlank)
        default: false
        }
    }

    static func inputImage(_ info: FieldReader) throws(APIError) -> InputImage {
        let fileId = try info.string("FileId").flatMap { $0.isEmpty ? nil : $0 }
        let url = try info.string("Url").flatMap { $0.isEmpty ? nil : $0 }
        let base64 = try info.string("Base64").flatMap { $0.isEmpty ? nil : $0 }
        let source: InputImage.Source
        if let type = try info.string("Type"), !type.isEmpty {
            guard let matched = [InputImage.Source.file, .url, .base64].first(where: { $0.rawValue.lowercased() == type.lowercased() })
            else { throw .invalidValue("\(info.name("Type")) must be File, Url or Base64, got `\(type)`.") }
            source = matched
        } else if fileId != nil {
            source = .file
        } else if url != nil {
            source = .url
        } else if base64 != nil {
            source = .base64
        } else {
            throw .missing(info.name("FileId"))
        }
        switch source {
        case .file where fileId == nil: throw .missing(info.name("FileId"))
        case .url where url == nil: throw .missing(info.name("Url"))
        case .base64 where base64 == nil: throw .missing(info.name("Base64"))
        default: break
        }
        return InputImage(source: source, fileId: source == .file ? fileId : nil, url: source == .url ? url : nil,
                          base64: source == .base64 ? base64 : nil, text: try info.string("Text"),
                          referenceType: try info.string("ReferenceType"))
    }

    static func decodeOutputConfig(_ output: FieldReader, into request: inout ImageRequest) throws(APIError) {
        if let mode = try output.string("StorageMode"), !mode.isEmpty {
            switch mode.lowercased() {
            case "temporary": request.storageMode = .temporary
            case "permanent": request.storageMode = .permanent
            default: throw .invalidValue("\(output.name("StorageMode")) must be Temporary or Permanent, got `\(mode)`.")
            }
        }
        request.mediaName = try output.string("MediaName")
        request.classId = try output.int("ClassId")
        request.expireTime = try output.string("ExpireTime")
        request.resolution = try output.string("Resolution").flatMap { $0.isEmpty ? nil : $0 }
        request.aspectRatio = try output.string("AspectRatio").flatMap { $0.isEmpty ? nil : $0 }
        request.personGeneration = try output.string("PersonGeneration").flatMap { $0.isEmpty ? nil : $0 }
        request.inputComplianceCheck = try output.switchValue("InputComplianceCheck")
        request.outputComplianceCheck = try output.switchValue("OutputComplianceCheck")
        request.outputImageCount = try output.int("OutputImageCount").map { Int(clamping: $0) }
        request.outputFormat = try output.string("OutputFormat").flatMap { $0.isEmpty ? nil : $0 }
        request.logoAdd = try output.switchValue("LogoAdd")
    }
}
