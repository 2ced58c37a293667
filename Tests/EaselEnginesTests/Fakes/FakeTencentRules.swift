import EaselCore
import Foundation

/// The field rules of the Tencent actions the fake serves (providers.md §6, tencent-api.md §4) and the bodies it
/// answers with. Values must have Tencent's JSON types exactly: the SDKs send typed values, so must the adapters.
enum TencentFakeRules {
    /// What one field must hold.
    enum Expect: Sendable {
        case string, anyInt, object, array
        case int(Int64)
        /// Integer 0 or 1 (aiart switches).
        case flag
        /// `Enabled` / `Disabled` (VOD switches).
        case switchValue
        case oneOf([String])
        /// An array of at most `max` http(s) URLs.
        case urls(max: Int)
    }

    /// Problems unless `params` has exactly the keys of `rules`, each as expected.
    static func exactly(_ params: [String: JSONValue], _ rules: [String: Expect], at path: String = "") -> [String] {
        check(params, rules, required: Set(rules.keys), at: path)
    }

    /// Problems with unknown keys (Tencent's `UnknownParameter`), missing required keys and ill-typed values.
    static func check(_ params: [String: JSONValue], _ rules: [String: Expect], required: Set<String>,
                      at path: String = "") -> [String] {
        var found = required.subtracting(params.keys).sorted().map { "\(path)\($0) is missing" }
        for (key, value) in params.sorted(by: { $0.key < $1.key }) {
            guard let rule = rules[key] else {
                found.append("\(path)\(key) is unknown")
                continue
            }
            if !matches(value, rule) { found.append("\(path)\(key) = \(String(decoding: value.encoded(), as: UTF8.self)) is not \(rule)") }
        }
        return found
    }

    private static func matches(_ value: JSONValue, _ rule: Expect) -> Bool {
        switch (rule, value) {
        case (.string, .string(let text)): !text.isEmpty
        case (.anyInt, .int), (.object, .object), (.array, .array): true
        case (.int(let want), .int(let got)): want == got
        case (.flag, .int(let got)): got == 0 || got == 1
        case (.switchValue, .string(let text)): text == "Enabled" || text == "Disabled"
        case (.oneOf(let allowed), .string(let text)): allowed.contains(text)
        case (.urls(let max), .array(let items)):
            items.count <= max && items.allSatisfy { $0.lenientString.flatMap(URL.init(string:))?.scheme?.hasPrefix("http") == true }
        default: false
        }
    }

    /// aiart `SubmitTextToImageJob`: Prompt ≤ 1024 characters, ≤ 3 image URLs, Resolution `W:H` with sides in
    /// [512, 2048] and area ≤ 1024², switches as 0/1.
    static func submitTextToImageJob(_ params: [String: JSONValue]) -> [String] {
        var found = check(params, ["Prompt": .string, "Images": .urls(max: 3), "Resolution": .string, "Seed": .anyInt,
                                   "LogoAdd": .flag, "LogoParam": .object, "Revise": .flag], required: ["Prompt"])
        if let prompt = params["Prompt"]?.lenientString, prompt.count > 1024 { found.append("Prompt is longer than 1024") }
        if let resolution = params["Resolution"]?.lenientString {
            let sides = resolution.split(separator: ":").compactMap { Int($0) }
            if sides.count != 2 || !sides.allSatisfy({ (512...2048).contains($0) }) || sides[0] * sides[1] > 1024 * 1024 {
                found.append("Resolution \(resolution) is not W:H within the limits")
            }
        }
        return found
    }

    /// VOD `CreateAigcImageTask` (`subAppId` nil for the REST proxy, whose body must not carry one).
    static func createAigcImageTask(_ params: [String: JSONValue], subAppId: Int64?) -> [String] {
        var rules: [String: Expect] = [
            "ModelName": .string, "ModelVersion": .string, "FileInfos": .array, "Prompt": .string, "NegativePrompt": .string,
            "EnhancePrompt": .switchValue, "OutputConfig": .object, "InputRegion": .oneOf(["Mainland", "Oversea", "OverseaUSWest"]),
            "SceneType": .string, "Seed": .anyInt, "SessionId": .string, "SessionContext": .string, "TasksPriority": .anyInt,
            "ExtInfo": .string,
        ]
        var required: Set = ["ModelName", "ModelVersion"]
        if let subAppId {
            rules["SubAppId"] = .int(subAppId)
            required.insert("SubAppId")
        }
        if params["FileInfos"] == nil { required.insert("Prompt") }
        var found = check(params, rules, required: required)
        for (index, file) in (params["FileInfos"]?.arrayValue ?? []).enumerated() {
            let members = file.objectValue ?? [:]
            found += check(members, ["Type": .oneOf(["File", "Url", "Base64"]), "FileId": .string, "Url": .string,
                                     "Base64": .string, "Text": .string, "ReferenceType": .string],
                           required: ["Type"], at: "FileInfos.\(index).")
            let type = members["Type"]?.lenientString ?? ""
            if !type.isEmpty, members[type == "File" ? "FileId" : type] == nil { found.append("FileInfos.\(index) lacks its \(type)") }
        }
        if let output = params["OutputConfig"]?.objectValue {
            found += check(output, ["StorageMode": .oneOf(["Temporary", "Permanent"]), "MediaName": .string, "ClassId": .anyInt,
                                    "ExpireTime": .string, "Resolution": .string, "AspectRatio": .string,
                                    "PersonGeneration": .oneOf(["AllowAdult", "Disallowed"]), "InputComplianceCheck": .switchValue,
                                    "OutputComplianceCheck": .switchValue, "OutputImageCount": .anyInt,
                                    "OutputFormat": .oneOf(["jpeg", "png"]), "LogoAdd": .switchValue],
                           required: [], at: "OutputConfig.")
        }
        return found
    }

    /// A `QueryTextToImageJob` answer for `step`.
    static func textToImageJob(_ step: FakeTencentServer.Step, files: [String]) -> [String: JSONValue] {
        var code = "", message = ""
        let (status, text): (String, String)
        switch step {
        case .waiting: (status, text) = ("1", "排队中")
        case .running: (status, text) = ("2", "处理中")
        case .failed(let failure, let detail): ((status, text), code, message) = (("4", "处理失败"), failure, detail)
        case .aborted: ((status, text), code, message) = (("4", "处理失败"), "FailedOperation.Unknown", "任务已取消")
        default: (status, text) = ("5", "处理完成")
        }
        return ["JobStatusCode": .string(status), "JobStatusMsg": .string(text), "JobErrorCode": .string(code),
                "JobErrorMsg": .string(message), "ResultImage": .array(files.map { .string($0) }),
                "ResultDetails": .array(files.map { _ in .string("Success") }),
                "RevisedPrompt": .array(files.map { _ in .string("摄影风格，画面主要描述") })]
    }

    /// A `DescribeTaskDetail` answer for `step`.
    static func taskDetail(_ step: FakeTencentServer.Step, job: String, files: [String]) -> [String: JSONValue] {
        var status = "FINISH", progress: Int64 = 100, errCode: Int64 = 0, errCodeExt = "", message = ""
        switch step {
        case .waiting: (status, progress) = ("WAITING", 0)
        case .running(let percent): (status, progress) = ("PROCESSING", Int64(percent))
        case .aborted: (status, progress) = ("ABORTED", 0)
        case .failed(let code, let detail): (errCode, errCodeExt, message) = (70000, code, detail)
        default: break
        }
        let finished = status == "FINISH"
        let outputs = files.map { url -> JSONValue in
            .object(["StorageMode": .string("Temporary"), "FileUrl": .string(url), "ExpireTime": .string("2026-01-05T12:03:57Z"),
                     "FileType": .string("png"), "FileId": .string("")])
        }
        let task: [String: JSONValue] = [
            "TaskId": .string(job), "Status": .string(finished ? "FINISH" : "PROCESSING"), "ErrCode": .int(errCode),
            "ErrCodeExt": .string(errCodeExt), "Message": .string(message), "Progress": .int(progress),
            "Input": .object(["OutputConfig": .object(["StorageMode": .string("Temporary")])]),
            "Output": .object(["FileInfos": .array(outputs)]), "SessionId": .string(""), "SessionContext": .string(""),
        ]
        return ["TaskType": .string("AigcImageTask"), "Status": .string(status), "CreateTime": .string("2025-12-29T12:03:30Z"),
                "BeginProcessTime": .string(status == "WAITING" ? "" : "2025-12-29T12:03:30Z"),
                "FinishTime": .string(finished ? "2025-12-29T12:03:43Z" : ""), "AigcImageTask": .object(task)]
    }
}
