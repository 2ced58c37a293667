import EaselCore

extension ImageRequest {
    /// A request for model `name` `version` with `prompt`, then changed by `edit`: how engine tests write the request
    /// a job carries.
    static func edited(_ name: String, _ version: String, prompt: String?,
                       _ edit: (inout ImageRequest) -> Void = { _ in }) -> ImageRequest {
        var request = ImageRequest(modelName: name, modelVersion: version, prompt: prompt)
        edit(&request)
        return request
    }
}
