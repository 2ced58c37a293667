import EaselCore

// What a provider cannot do, said at create time as InvalidParameterValue instead of failing the task later.

extension VODPassthroughEngine {
    /// VOD takes reference images by URL only; media-library files and base64 payloads cannot be forwarded.
    public func unsupportedReason(for request: ImageRequest) -> String? {
        guard request.inputs.contains(where: { $0.source != .url }) else { return nil }
        return "FileInfos: the Tencent VOD upstream takes reference images by Url only; File and Base64 inputs cannot be forwarded."
    }
}

extension KlingImageEngine {
    /// Kling's image expansion has no documented API endpoint.
    public func unsupportedReason(for request: ImageRequest) -> String? {
        request.sceneType == "image_expand" ? "SceneType image_expand is not available on the Kling upstream." : nil
    }
}

extension HunyuanImageEngine {
    /// Hunyuan makes one image per job and takes reference images by URL only.
    public func unsupportedReason(for request: ImageRequest) -> String? {
        if (request.outputImageCount ?? 1) > 1 { return "OutputImageCount: the Hunyuan upstream makes one image per task." }
        if request.inputs.contains(where: { $0.source != .url }) {
            return "FileInfos: the Hunyuan upstream takes reference images by Url only."
        }
        return nil
    }
}
