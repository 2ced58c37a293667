import EaselCore
import Hummingbird

/// Answers requests for routes that do not exist under a dialect's prefix in that dialect's envelope, instead of
/// an empty 404: the REST proxy and Easel's own API in the Tencent envelope, `/v1/…` as OpenAI does.
struct UnknownRouteMiddleware: RouterMiddleware {
    typealias Context = EaselRequestContext

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let route = "\(request.method.rawValue) \(request.uri.path.prefix(200))"
            switch DialectPath.owner(of: request.uri.path) {
            case .rest:
                let message = "There is no route \(route). The REST proxy serves POST /tencent-vod/v1/aigc-image, "
                    + "GET /tencent-vod/v1/query/{task_id}, GET …/query/{task_id}/status and PUT or POST …/query/{task_id}/cancel."
                return JSONResponse.make(TencentEnvelope.error(APIError("InvalidAction", message),
                                                               requestId: TencentEnvelope.newRequestId()), status: .notFound)
            case .easel:
                return JSONResponse.make(TencentEnvelope.error(APIError("InvalidAction", "There is no route \(route)."),
                                                               requestId: TencentEnvelope.newRequestId()), status: .notFound)
            case .openAI:
                return OpenAIError.response(for: APIError("ResourceNotFound", "Invalid URL (\(route))."))
            case .files, .health, nil:
                throw error
            }
        }
    }
}
