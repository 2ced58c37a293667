import EaselCore
import NIOHTTP1

/// The REST proxy dialect (`/tencent-vod/v1`, Bearer app key): create a task, follow it, read its result.
struct RESTAPI: Sendable {
    let session: HTTPSession

    /// A created task.
    struct Created: Sendable {
        var taskId: String
        var queuePosition: Int?
    }

    /// A finished task as the query route shows it.
    struct Outcome: Sendable {
        /// `FINISH` or `ABORTED`.
        var status: String
        /// 0 on success.
        var errCode: Int64
        /// The Tencent error code (`ErrCodeExt`), empty on success.
        var errCodeExt: String
        var message: String
        /// The outputs' URLs and file types, in order.
        var files: [(url: String, fileType: String)]

        var succeeded: Bool { status == "FINISH" && errCode == 0 && errCodeExt.isEmpty }
    }

    /// `POST /tencent-vod/v1/aigc-image`.
    func create(_ body: JSONValue) async throws(CLIError) -> Created {
        let json = try Self.decode(try await session.send(.POST, "/tencent-vod/v1/aigc-image", body: Array(body.encoded())))
        guard let taskId = json["Response"]?["TaskId"]?.lenientString, !taskId.isEmpty else {
            throw .connection("\(session.baseURL) answered the create without a TaskId: is this an Easel server?")
        }
        return Created(taskId: taskId, queuePosition: json["queue_position"]?.lenientInt.map { Int($0) })
    }

    /// `GET /tencent-vod/v1/query/{id}/status`.
    func progress(_ taskId: String) async throws(CLIError) -> TaskProgress {
        let json = try Self.decode(try await session.send(.GET, "/tencent-vod/v1/query/\(taskId)/status"))
        let phase: TaskProgress.Phase = switch json["status"]?.lenientString {
        case "IN_QUEUE": .waiting
        case "IN_PROGRESS": .processing
        case "COMPLETED": .completed
        default: throw .connection("\(session.baseURL) answered the status of \(taskId) in an unknown format")
        }
        return TaskProgress(phase: phase, queuePosition: json["queue_position"]?.lenientInt.map { Int($0) },
                            progress: Int(json["metrics"]?["progress"]?.lenientInt ?? 0))
    }

    /// `GET /tencent-vod/v1/query/{id}`.
    func outcome(_ taskId: String) async throws(CLIError) -> Outcome {
        let json = try Self.decode(try await session.send(.GET, "/tencent-vod/v1/query/\(taskId)"))
        guard let response = json["Response"], let task = response["AigcImageTask"] else {
            throw .connection("\(session.baseURL) answered the query of \(taskId) without AigcImageTask")
        }
        let files = (task["Output"]?["FileInfos"]?.arrayValue ?? []).compactMap { info -> (url: String, fileType: String)? in
            guard let url = info["FileUrl"]?.lenientString, !url.isEmpty else { return nil }
            return (url, info["FileType"]?.lenientString ?? "")
        }
        return Outcome(status: response["Status"]?.lenientString ?? "", errCode: task["ErrCode"]?.lenientInt ?? 0,
                       errCodeExt: task["ErrCodeExt"]?.lenientString ?? "", message: task["Message"]?.lenientString ?? "",
                       files: files)
    }

    /// The bytes at a file URL the query returned (signed, so no key is sent) and its Content-Type.
    func download(_ url: String) async throws(CLIError) -> HTTPAnswer {
        let answer = try await session.send(.GET, url, timeout: .seconds(300), authorized: false)
        guard answer.isSuccess else { throw .failed("downloading \(url) answered HTTP \(answer.status)") }
        return answer
    }

    /// The JSON of a 2xx answer, or the error in the Tencent envelope.
    static func decode(_ answer: HTTPAnswer) throws(CLIError) -> JSONValue {
        guard let json = answer.json else {
            throw .connection("\(answer.url) answered HTTP \(answer.status) without JSON: is this an Easel server?")
        }
        if let error = json["Response"]?["Error"] {
            let code = error["Code"]?.lenientString ?? "Error"
            throw .failed("\(code): \(error["Message"]?.lenientString ?? "")")
        }
        guard answer.isSuccess else { throw .connection("\(answer.url) answered HTTP \(answer.status) in an unknown format") }
        return json
    }
}
