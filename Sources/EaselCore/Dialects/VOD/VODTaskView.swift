/// Renders a task as VOD's `DescribeTaskDetail` response body (and the `AigcImageTask` object that events carry).
public enum VODTaskView {
    /// Top-level status: WAITING, PROCESSING, FINISH (success and failure) or ABORTED.
    public static func status(_ status: TaskStatus) -> String {
        switch status {
        case .waiting: "WAITING"
        case .processing: "PROCESSING"
        case .succeeded, .failed: "FINISH"
        case .aborted: "ABORTED"
        }
    }

    /// `ErrCode` for a failure code. Tencent's numeric table is unpublished; 70000 is its documented example.
    public static func errCode(_ task: TaskRecord) -> Int64 {
        task.errorCode == nil ? 0 : 70000
    }

    /// The `DescribeTaskDetail` fields (without RequestId).
    public static func describeTaskDetail(_ task: TaskRecord, fileURL: (TaskOutput) -> String) -> [String: JSONValue] {
        [
            "TaskType": .string("AigcImageTask"),
            "Status": .string(status(task.status)),
            "CreateTime": .string(ISOTime.string(task.createdAt)),
            "BeginProcessTime": .string(ISOTime.string(task.startedAt)),
            "FinishTime": .string(ISOTime.string(task.finishedAt)),
            "AigcImageTask": .object(aigcImageTask(task, fileURL: fileURL)),
        ]
    }

    /// The `AigcImageTask` object.
    public static func aigcImageTask(_ task: TaskRecord, fileURL: (TaskOutput) -> String) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "TaskId": .string(task.id.rawValue),
            "Status": .string(task.status.isTerminal ? "FINISH" : "PROCESSING"),
            "ErrCode": .int(errCode(task)),
            "ErrCodeExt": .string(task.errorCode?.rawValue ?? ""),
            "Message": .string(task.errorMessage ?? ""),
            "Progress": .int(Int64(task.progress)),
            "Input": .object(input(task.request)),
            "Output": .object(["FileInfos": .array(task.outputs.map { .object(fileInfo($0, request: task.request, url: fileURL($0))) })]),
            "SessionId": .string(task.sessionId ?? ""),
            "SessionContext": .string(task.sessionContext ?? ""),
        ]
        if !task.run.isEmpty {
            // Not a Tencent field: says which engine produced the images (and that sandbox output is not a real model's).
            object["EaselMetadata"] = .object(task.run.fields.mapValues { .string($0) })
        }
        return object
    }

    static func input(_ request: ImageRequest) -> [String: JSONValue] {
        var input: [String: JSONValue] = [
            "ModelName": .string(request.modelName),
            "ModelVersion": .string(request.modelVersion),
            "FileInfos": .array(request.inputs.map { image in
                var info: [String: JSONValue] = ["Type": .string(image.source.rawValue)]
                if let fileId = image.fileId { info["FileId"] = .string(fileId) }
                if let url = image.url { info["Url"] = .string(url) }
                if let text = image.text { info["Text"] = .string(text) }
                if let referenceType = image.referenceType { info["ReferenceType"] = .string(referenceType) }
                return .object(info)
            }),
            "Prompt": .string(request.prompt ?? ""),
            "NegativePrompt": .string(request.negativePrompt ?? ""),
            "EnhancePrompt": .string(request.enhancePrompt.map { $0 ? "Enabled" : "Disabled" } ?? ""),
            "GenerationMode": .string("Standard"),
            "SceneType": .string(request.sceneType ?? ""),
            "ExtInfo": .string(request.extInfo ?? ""),
            "OutputConfig": .object(outputConfig(request)),
        ]
        if let seed = request.seed { input["Seed"] = .int(seed) }
        return input
    }

    static func outputConfig(_ request: ImageRequest) -> [String: JSONValue] {
        var config: [String: JSONValue] = ["StorageMode": .string(request.storageMode.rawValue)]
        let optional: [(String, String?)] = [
            ("MediaName", request.mediaName), ("ExpireTime", request.expireTime), ("Resolution", request.resolution),
            ("AspectRatio", request.aspectRatio), ("PersonGeneration", request.personGeneration),
            ("InputComplianceCheck", request.inputComplianceCheck.map { $0 ? "Enabled" : "Disabled" }),
            ("OutputComplianceCheck", request.outputComplianceCheck.map { $0 ? "Enabled" : "Disabled" }),
            ("OutputFormat", request.outputFormat), ("LogoAdd", request.logoAdd.map { $0 ? "Enabled" : "Disabled" }),
        ]
        for case let (key, value?) in optional { config[key] = .string(value) }
        if let classId = request.classId { config["ClassId"] = .int(classId) }
        if let count = request.outputImageCount { config["OutputImageCount"] = .int(Int64(count)) }
        return config
    }

    static func fileInfo(_ output: TaskOutput, request: ImageRequest, url: String) -> [String: JSONValue] {
        var info: [String: JSONValue] = [
            "StorageMode": .string(output.storageMode.rawValue),
            "FileType": .string(output.fileType),
            "FileUrl": .string(url),
            "ExpireTime": .string(ISOTime.string(output.expiresAt)),
            "MetaData": .object([
                "Size": .int(Int64(output.size)), "Container": .string(output.fileType), "Bitrate": .int(0),
                "Height": .int(Int64(output.height)), "Width": .int(Int64(output.width)), "Duration": .double(0),
                "Rotate": .int(0), "VideoStreamSet": .array([]), "AudioStreamSet": .array([]),
                "VideoDuration": .double(0), "AudioDuration": .double(0), "Md5": .string(output.md5),
            ]),
        ]
        if let fileId = output.fileId {
            info["FileId"] = .string(fileId)
            info["MediaName"] = .string(request.mediaName ?? "")
            info["ClassId"] = .int(request.classId ?? 0)
        }
        return info
    }

    /// A `TaskSimpleInfo` for `DescribeTasks`.
    public static func simpleInfo(_ task: TaskRecord) -> [String: JSONValue] {
        [
            "TaskId": .string(task.id.rawValue), "Status": .string(status(task.status)), "TaskType": .string("AigcImageTask"),
            "FileId": .string(task.outputs.first?.fileId ?? ""),
            "CreateTime": .string(ISOTime.string(task.createdAt)),
            "BeginProcessTime": .string(ISOTime.string(task.startedAt)),
            "FinishTime": .string(ISOTime.string(task.finishedAt)),
            "SessionId": .string(task.sessionId ?? ""), "SessionContext": .string(task.sessionContext ?? ""),
        ]
    }
}
