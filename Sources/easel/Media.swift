import ArgumentParser
import Crypto
import EaselCore
import EaselEngines
import Foundation

/// `easel media`: manage an app's media library, in the local store or through a server's admin API.
struct Media: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage apps' media libraries.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an image (png, jpeg, webp) into an app's media library and print its FileId.")

        @OptionGroup var installation: InstallationOptions
        @OptionGroup var app: AppOptions
        @Option(help: "Use this FileId instead of a new one (digits).") var fileId: String?
        @Argument(help: "The image file.") var path: String

        func run() async throws {
            if let fileId, fileId.isEmpty || !fileId.allSatisfy(\.isNumber) { throw CLIError.usage("--file-id must be digits.") }
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw CLIError.usage("cannot read \(path): no such file or not readable.")
            }
            guard let info = ImageProbe.inspect(bytes) else { throw CLIError.usage("\(path) is not a png, jpeg or webp image.") }
            let name = URL(fileURLWithPath: path).lastPathComponent
            let stored: JSONValue = try await installation.run { api in
                var query: [(String, String)] = [("app_id", String(app.appId)), ("name", name)]
                if let subAppId = app.subAppId { query.append(("sub_app_id", String(subAppId))) }
                if let fileId { query.append(("file_id", fileId)) }
                let stored = try await api.upload("/media", query: query, bytes: bytes, contentType: info.format.contentType)
                return .object(["FileId": stored["file_id"] ?? .null, "Width": stored["width"] ?? .null,
                                "Height": stored["height"] ?? .null, "Size": stored["size"] ?? .null,
                                "Md5": stored["md5"] ?? .null])
            } local: { local in
                let id = fileId ?? MediaFile.makeFileId()
                let tenant = app.tenant
                let key = "media/\(app.appId)/\(id).\(info.format.fileExtension)"
                try await local.runtime.blobs.put(bytes, key: key, contentType: info.format.contentType)
                let md5 = HexText.of(Insecure.MD5.hash(data: bytes))
                try await local.store.addFile(MediaFile(
                    fileId: id, tenant: tenant, blobKey: key, contentType: info.format.contentType, fileType: info.format.fileExtension,
                    width: info.width, height: info.height, size: bytes.count, md5: md5,
                    mediaName: name, classId: 0, createdAt: Date(), sourceTaskId: nil))
                return .object(["FileId": .string(id), "Width": .int(Int64(info.width)),
                                "Height": .int(Int64(info.height)), "Size": .int(Int64(bytes.count)), "Md5": .string(md5)])
            }
            Printer.line(stored)
        }
    }
}
