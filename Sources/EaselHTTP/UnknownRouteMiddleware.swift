import EaselCore
import Hummingbird

/// Answers requests for routes that do not exist under a dialect's prefix in that dialect's envelope, instead of
/// an empty 404: the REST proxy and Easel's own API in the Tencent envelope, the admin API in its own, `/v1/…` as OpenAI does.
struct UnknownRouteMiddleware: RouterMiddleware {
    typealias Context = EaselRequestContext

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let route = "\(request.method.rawValue) \(request.uri.path.prefix(200))"
            context.facts.record(action: "unknown")
            switch DialectPath.owner(of: request.uri.path) {
            case .rest:
                context.facts.record(errorCode: "InvalidAction")
                let message = "There is no route \(route). The REST proxy serves POST /tencent-vod/v1/aigc-image, "
                    + "GET /tencent-vod/v1/query/{task_id}, GET …/query/{task_id}/status, GET …/query/{task_id}/status/stream "
                    + "and PUT or POST …/query/{task_id}/cancel (also under …/requests/{task_id})."
                return JSONResponse.make(APIError("InvalidAction", message).tencentEnvelope(requestId: context.facts.requestId),
                                         status: .notFound)
            case .easel where AdminRoutes.owns(request.uri.path):
                return AdminRoutes.unmatched(request)
            case .easel:
                context.facts.record(errorCode: "InvalidAction")
                return JSONResponse.make(APIError("InvalidAction", "There is no route \(route).")
                                             .tencentEnvelope(requestId: context.facts.requestId), status: .notFound)
            case .openAI:
                context.facts.record(errorCode: "ResourceNotFound")
                return APIError(.resourceNotFound, "Invalid URL (\(route)).").openAIResponse()
            case .files, .health, nil:
                throw error
            }
        }
    }
}
