import EaselCore
import EaselEngines
import Foundation

/// A `--ref` value as a REST `file_infos` entry: an http(s) URL the server fetches, `fileid:DIGITS` from the app's
/// media library, or a local png/jpeg/webp file sent inline as base64 (the REST dialect's `type: Base64`).
enum ReferenceImage: Sendable, Equatable {
    case url(String)
    case fileId(String)
    case inline(base64: String)

    /// Inline images may total this much base64 text per task (the server's limit; the body may be 10 MB).
    static let inlineLimit = 7 * 1024 * 1024

    /// Reads `value`; a local file is read and checked here, so a typo fails before anything is sent.
    static func parse(_ value: String) throws(CLIError) -> ReferenceImage {
        let lowered = value.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return .url(value) }
        if lowered.hasPrefix("fileid:") {
            let id = String(value.dropFirst("fileid:".count))
            guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw .usage("--ref fileid:N needs the digits of a FileId, got `\(value)`.") }
            return .fileId(id)
        }
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: value)))
        } catch {
            throw .usage("--ref \(value): no such file (give a file, an http(s) URL or fileid:N).")
        }
        guard ImageProbe.inspect(bytes) != nil else { throw .usage("--ref \(value) is not a png, jpeg or webp image.") }
        return .inline(base64: Data(bytes).base64EncodedString())
    }

    /// The `file_infos` entry.
    var json: JSONValue {
        switch self {
        case .url(let url): .object(["type": .string("Url"), "url": .string(url)])
        case .fileId(let id): .object(["type": .string("File"), "file_id": .string(id)])
        case .inline(let base64): .object(["type": .string("Base64"), "base64": .string(base64)])
        }
    }

    /// Base64 characters this entry adds to the request.
    var inlineSize: Int {
        if case .inline(let base64) = self { return base64.utf8.count }
        return 0
    }
}
