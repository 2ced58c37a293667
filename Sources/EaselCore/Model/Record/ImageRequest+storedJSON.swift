import Foundation

extension ImageRequest {
    /// The request as its `Codable` conformance writes it (see ``TaskRecord/storedJSON``).
    var storedJSON: JSONValue {
        let fields = storage.fields
        var request = RecordMembers()
        request.set("modelName", fields.modelName)
        request.set("modelVersion", fields.modelVersion)
        request.set("prompt", fields.prompt)
        request.set("negativePrompt", fields.negativePrompt)
        request.set("enhancePrompt", fields.enhancePrompt)
        request.set("inputs", .array(fields.inputs.map(\.storedJSON)))
        request.set("resolution", fields.resolution)
        request.set("aspectRatio", fields.aspectRatio)
        if let size = fields.size { request.set("size", size.storedJSON) }
        request.set("personGeneration", fields.personGeneration)
        request.set("inputComplianceCheck", fields.inputComplianceCheck)
        request.set("outputComplianceCheck", fields.outputComplianceCheck)
        request.set("outputImageCount", fields.outputImageCount)
        request.set("outputFormat", fields.outputFormat)
        request.set("logoAdd", fields.logoAdd)
        request.set("seed", fields.seed)
        request.set("sceneType", fields.sceneType)
        request.set("inputRegion", fields.inputRegion)
        request.set("storageMode", fields.storageMode.rawValue)
        request.set("mediaName", fields.mediaName)
        request.set("classId", fields.classId)
        request.set("expireTime", fields.expireTime)
        request.set("extInfo", fields.extInfo)
        if let parameters = fields.additionalParameters { request.set("additionalParameters", .object(parameters)) }
        if let cos = fields.storeCos {
            var bucket = RecordMembers()
            bucket.set("bucketName", cos.bucketName)
            bucket.set("bucketRegion", cos.bucketRegion)
            bucket.set("bucketPath", cos.bucketPath)
            request.set("storeCos", bucket.value)
        }
        request.set("operatorName", fields.operatorName)
        return request.value
    }

    init(storedJSON request: RecordFields) throws(RecordFields.Mismatch) {
        var fields = Fields(modelName: try request.string("modelName"), modelVersion: try request.string("modelVersion"),
                            prompt: try request.optionalString("prompt"))
        fields.negativePrompt = try request.optionalString("negativePrompt")
        fields.enhancePrompt = try request.optionalBool("enhancePrompt")
        var inputs: [InputImage] = []
        for (index, input) in try request.array("inputs").enumerated() {
            inputs.append(try InputImage(storedJSON: RecordFields(input, path: "\(request.path).inputs.\(index)")))
        }
        fields.inputs = inputs
        fields.resolution = try request.optionalString("resolution")
        fields.aspectRatio = try request.optionalString("aspectRatio")
        if let size = try request.optionalObject("size") { fields.size = try PixelSize(storedJSON: size) }
        fields.personGeneration = try request.optionalString("personGeneration")
        fields.inputComplianceCheck = try request.optionalBool("inputComplianceCheck")
        fields.outputComplianceCheck = try request.optionalBool("outputComplianceCheck")
        fields.outputImageCount = try request.optionalInt("outputImageCount")
        fields.outputFormat = try request.optionalString("outputFormat")
        fields.logoAdd = try request.optionalBool("logoAdd")
        fields.seed = try request.optionalInt64("seed")
        fields.sceneType = try request.optionalString("sceneType")
        fields.inputRegion = try request.optionalString("inputRegion")
        fields.storageMode = try request.raw("storageMode", as: StorageMode.self)
        fields.mediaName = try request.optionalString("mediaName")
        fields.classId = try request.optionalInt64("classId")
        fields.expireTime = try request.optionalString("expireTime")
        fields.extInfo = try request.optionalString("extInfo")
        if request.has("additionalParameters") {
            fields.additionalParameters = try request.object("additionalParameters").members
        }
        if let cos = try request.optionalObject("storeCos") {
            fields.storeCos = StoreCosParam(bucketName: try cos.string("bucketName"),
                                            bucketRegion: try cos.string("bucketRegion"),
                                            bucketPath: try cos.optionalString("bucketPath"))
        }
        fields.operatorName = try request.optionalString("operatorName")
        storage = Storage(fields)
    }
}

extension InputImage {
    var storedJSON: JSONValue {
        var input = RecordMembers()
        input.set("source", source.rawValue)
        input.set("fileId", fileId)
        input.set("url", url)
        input.set("base64", base64)
        input.set("text", text)
        input.set("referenceType", referenceType)
        return input.value
    }

    init(storedJSON input: RecordFields) throws(RecordFields.Mismatch) {
        self.init(source: try input.raw("source", as: Source.self), fileId: try input.optionalString("fileId"),
                  url: try input.optionalString("url"), base64: try input.optionalString("base64"),
                  text: try input.optionalString("text"), referenceType: try input.optionalString("referenceType"))
    }
}
