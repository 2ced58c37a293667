import Crypto
import EaselCore
import EaselEngines
import Foundation
import Hummingbird

extension AdminRoutes {
    /// Imported images are limited like Tencent's uploads.
    static let mediaLimit = 10 * 1024 * 1024

    func addMedia(_ request: Request) async throws(AdminError) -> AdminReply {
        let query = try AdminQuery(request, allowed: ["app_id", "sub_app_id", "file_id", "name"])
        guard let appId = try query.id("app_id") else { throw .invalid("The query parameter `app_id` is required.") }
        let tenant = Tenant(appId: appId, subAppId: try query.id("sub_app_id") ?? appId)
        let fileId = try query.string("file_id", maxLength: 32) ?? MediaFile.makeFileId()
        guard fileId.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .invalid("file_id must be 1 to 32 digits.") }
        let name = try query.string("name", maxLength: 200)
        let bytes = try await AdminBody.collect(request, upTo: Self.mediaLimit)
        guard let info = ImageProbe.inspect(bytes) else { throw .invalid("The body must be a png, jpeg or webp image.") }
        let store = environment.store
        if try await environment.call({ try await store.file(id: fileId, tenant: tenant) }) != nil {
            throw .conflict("The app \(appId) already has a file `\(fileId)`.")
        }
        let key = "media/\(appId)/\(fileId).\(info.format.fileExtension)"
        let md5 = HexText.of(Insecure.MD5.hash(data: bytes))
        let file = MediaFile(fileId: fileId, tenant: tenant, blobKey: key, contentType: info.format.contentType,
                             fileType: info.format.fileExtension, width: info.width, height: info.height, size: bytes.count,
                             md5: md5, mediaName: name, classId: 0, createdAt: Date(), sourceTaskId: nil)
        try await environment.call {
            try await environment.blobs.put(bytes, key: key, contentType: info.format.contentType)
            try await store.addFile(file)
        }
        return AdminReply(body: .object([
            "file_id": .string(fileId), "width": AdminViews.int(info.width), "height": AdminViews.int(info.height),
            "size": AdminViews.int(bytes.count), "md5": .string(md5),
        ]), status: .created)
    }
}
