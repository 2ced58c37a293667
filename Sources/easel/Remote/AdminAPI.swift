import EaselCore
import NIOHTTP1

/// The admin API of a running server (`/easel/v1/admin`, Bearer admin key). Each call answers the decoded JSON
/// body; an error envelope becomes `CLIError.failed` (exit 1) with its code and message, an answer that is not
/// Easel's JSON `CLIError.connection` (exit 2).
struct AdminAPI: Sendable {
    let session: HTTPSession

    static let prefix = "/easel/v1/admin"

    /// GET `path` (under the admin prefix) with `query`.
    func get(_ path: String, query: [(String, String)] = []) async throws(CLIError) -> JSONValue {
        try Self.decode(try await session.send(.GET, Self.prefix + path, query: query))
    }

    /// POST `path` with a JSON body (nil: an empty body).
    func post(_ path: String, query: [(String, String)] = [], json: JSONValue? = nil) async throws(CLIError) -> JSONValue {
        let body = json.map { Array($0.encoded()) } ?? []
        return try Self.decode(try await session.send(.POST, Self.prefix + path, query: query, body: body))
    }

    /// POST `path` with raw bytes of `contentType`.
    func upload(_ path: String, query: [(String, String)], bytes: [UInt8], contentType: String) async throws(CLIError) -> JSONValue {
        try Self.decode(try await session.send(.POST, Self.prefix + path, query: query, body: bytes,
                                               contentType: contentType, timeout: .seconds(120)))
    }

    /// The JSON of a 2xx answer, or the error the answer describes.
    static func decode(_ answer: HTTPAnswer) throws(CLIError) -> JSONValue {
        guard let json = answer.json else {
            throw .connection("\(answer.url) answered HTTP \(answer.status) without JSON: is this an Easel server with the admin API?")
        }
        if answer.isSuccess { return json }
        if let error = json["error"], let code = error["code"]?.lenientString {
            let message = error["message"]?.lenientString ?? ""
            let hint = answer.status == 401 ? " (pass the admin key with --admin-key or EASEL_ADMIN_KEY)" : ""
            throw .failed("\(code): \(message)\(hint)")
        }
        throw .connection("\(answer.url) answered HTTP \(answer.status) in an unknown format: is this an Easel server with the admin API?")
    }
}
