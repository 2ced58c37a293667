import EaselCore
import Foundation
import Hummingbird

/// Serves stored images under signed URLs: `/files/<key>?expires=T&sig=S` (temporary) or `?sig=S` (permanent).
struct FileRoutes: Sendable {
    let environment: ServerEnvironment

    func register(on router: Router<EaselRequestContext>) {
        router.get("files/**") { request, context in try await self.serve(request, context: context) }
        router.head("files/**") { request, context in try await self.serve(request, context: context) }
    }

    private func serve(_ request: Request, context: EaselRequestContext) async throws -> Response {
        context.facts.record(dialect: "files", action: request.method == .head ? "head" : "get")
        let key = context.parameters.getCatchAll().joined(separator: "/")
        let query = request.uri.queryParameters
        let expires = query.get("expires").flatMap { Int64($0) }
        let signature = query.get("sig") ?? ""
        let now = Int64(Date().timeIntervalSince1970)
        guard environment.links.signer.verify(path: "/files/\(key)", expires: expires, signature: signature, now: now) else {
            let expired = expires.map { $0 < now } ?? false
            throw HTTPError(.forbidden, message: expired ? "This link has expired." : "The link signature is not valid.")
        }
        guard let bytes = try? await environment.blobs.get(key: key) else {
            throw HTTPError(.notFound, message: "The file no longer exists.")
        }
        let type = ImageContentType.forKey(key)
        var headers: HTTPFields = [.contentType: type, .contentLength: String(bytes.count)]
        headers[.cacheControl] = expires == nil ? "private, max-age=31536000, immutable" : "private, max-age=3600"
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: bytes))
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// MIME types of stored images by file extension.
enum ImageContentType {
    static func forKey(_ key: String) -> String {
        switch key.split(separator: ".").last?.lowercased() {
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "webp": "image/webp"
        default: "application/octet-stream"
        }
    }
}
