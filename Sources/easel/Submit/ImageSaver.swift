import EaselCore
import Foundation

/// Saves a finished task's images as `<dir>/<TaskId>-<n>.<ext>` (n from 1; the extension from the file type the
/// server reports, else from the Content-Type).
struct ImageSaver: Sendable {
    let rest: RESTAPI
    let directory: String

    /// Downloads every file and returns the paths written.
    func save(_ files: [(url: String, fileType: String)], taskId: String) async throws -> [String] {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CLIError.usage("cannot create --out directory \(directory): \(error.localizedDescription)")
        }
        var paths: [String] = []
        for (index, file) in files.enumerated() {
            let answer = try await rest.download(file.url)
            let ext = Self.fileExtension(fileType: file.fileType, contentType: answer.contentType)
            let path = folder.appendingPathComponent("\(Self.safeName(taskId))-\(index + 1).\(ext)").path
            guard FileManager.default.createFile(atPath: path, contents: Data(answer.body)) else {
                throw CLIError.failed("cannot write \(path)")
            }
            paths.append(path)
        }
        return paths
    }

    /// `png`, `jpeg`, `webp`: the server's file type, else what the Content-Type names, else `bin`.
    static func fileExtension(fileType: String, contentType: String?) -> String {
        let type = fileType.lowercased()
        if !type.isEmpty, type.allSatisfy({ $0.isLetter || $0.isNumber }) { return type }
        switch contentType?.split(separator: ";").first?.trimmingWhitespace().lowercased() {
        case "image/png": return "png"
        case "image/jpeg": return "jpeg"
        case "image/webp": return "webp"
        default: return "bin"
        }
    }

    // TaskIds are `<app>-AigcImageTask-<hex>t`; anything else is kept out of the path.
    static func safeName(_ taskId: String) -> String {
        String(taskId.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}
