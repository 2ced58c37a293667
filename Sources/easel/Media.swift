import ArgumentParser
import Crypto
import EaselCore
import EaselEngines
import EaselHTTP
import Foundation

/// `easel media`: manage an app's media library.
struct Media: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage apps' media libraries.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an image (png, jpeg, webp) into an app's media library and print its FileId.")

        @OptionGroup var common: CommonOptions
        @Option(help: "The app id.") var appId: Int64
        @Option(help: "The VOD sub-app id (default: the app id).") var subAppId: Int64?
        @Option(help: "Use this FileId instead of a new one (digits).") var fileId: String?
        @Argument(help: "The image file.") var path: String

        func run() async throws {
            let runtime = try EaselRuntime(configuration: try common.configuration())
            try await runtime.withStore {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                guard let info = ImageProbe.inspect(bytes) else { throw ValidationError("\(path) is not a png, jpeg or webp image.") }
                let id = fileId ?? MediaFile.makeFileId()
                guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw ValidationError("--file-id must be digits.") }
                let tenant = Tenant(appId: appId, subAppId: subAppId ?? appId)
                let key = "media/\(appId)/\(id).\(info.format.fileExtension)"
                try await runtime.blobs.put(bytes, key: key, contentType: info.format.contentType)
                let md5 = HexText.of(Insecure.MD5.hash(data: bytes))
                try await runtime.store.addFile(MediaFile(
                    fileId: id, tenant: tenant, blobKey: key, contentType: info.format.contentType, fileType: info.format.fileExtension,
                    width: info.width, height: info.height, size: bytes.count, md5: md5,
                    mediaName: URL(fileURLWithPath: path).lastPathComponent, classId: 0, createdAt: Date(), sourceTaskId: nil))
                let object: JSONValue = .object(["FileId": .string(id), "Width": .int(Int64(info.width)),
                                                 "Height": .int(Int64(info.height)), "Size": .int(Int64(bytes.count)),
                                                 "Md5": .string(md5)])
                print(String(decoding: object.encoded(), as: UTF8.self))
            }
        }
    }
}
