/// Decodes MPS `CreateAigcImageTask` parameters: no field is required; EnhancePrompt is a boolean, LogoAdd an
/// integer, AdditionalParameters a JSON string, and the model defaults to the catalog's MPS default.
public enum MPSCreateDecoder {
    /// Decodes the parameters, filling the default model and version from `catalog`.
    public static func decode(_ params: FieldReader, catalog: ModelCatalog) throws(APIError) -> CreateCommand {
        let name = try params.string("ModelName").flatMap { $0.isEmpty ? nil : $0 }
            ?? catalog.defaultModel(for: .mps)?.name ?? "GEM"
        let version = try params.string("ModelVersion").flatMap { $0.isEmpty ? nil : $0 }
            ?? catalog.defaultVersion(name: name, dialect: .mps) ?? ""
        var request = ImageRequest(modelName: name, modelVersion: version, prompt: try params.string("Prompt"))
        request.sceneType = try params.string("SceneType")
        request.negativePrompt = try params.string("NegativePrompt")
        request.enhancePrompt = try params.bool("EnhancePrompt")
        request.inputs = try params.objects("ImageInfos").map { info throws(APIError) in
            guard let url = try info.string("ImageUrl"), !url.isEmpty else { throw .missing(info.name("ImageUrl")) }
            return InputImage(source: .url, url: url, referenceType: try info.string("ReferenceType"))
        }
        request.outputImageCount = try params.int("OutputImageCount").map { Int(clamping: $0) }
        if let extra = try params.object("ExtraParameters") {
            request.aspectRatio = try extra.string("AspectRatio").flatMap { $0.isEmpty ? nil : $0 }
            request.resolution = try extra.string("Resolution").flatMap { $0.isEmpty ? nil : $0 }
            request.outputFormat = try extra.string("OutputFormat").flatMap { $0.isEmpty ? nil : $0 }
            if let logo = try extra.int("LogoAdd") {
                guard logo == 0 || logo == 1 else { throw .invalidValue("\(extra.name("LogoAdd")) must be 0 or 1, got \(logo).") }
                request.logoAdd = logo == 1
            }
        }
        request.additionalParameters = try params.embeddedJSON("AdditionalParameters")
        if let cos = try params.object("StoreCosParam") {
            let bucket = try cos.requiredString("CosBucketName")
            let region = try cos.requiredString("CosBucketRegion")
            request.storeCos = StoreCosParam(bucketName: bucket, bucketRegion: region, bucketPath: try cos.string("CosBucketPath"))
        }
        request.operatorName = try params.string("Operator")
        return CreateCommand(request: request)
    }
}
