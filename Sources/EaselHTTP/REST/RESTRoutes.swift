import EaselCore
import EaselServices
import Hummingbird

/// The resellers' REST proxy: VOD with snake_case keys and a Bearer key under `/tencent-vod/v1`. Answers carry the
/// Tencent envelope and, on create, the queue fields of the proxy's published schema (`status_url`, …), whose URLs work.
/// Errors use the Tencent envelope with a matching HTTP status, as a gateway would.
struct RESTRoutes: Sendable {
    let environment: ServerEnvironment

    func register(on router: Router<EaselRequestContext>) {
        let group = router.group("tencent-vod/v1")
        group.post("aigc-image") { request, context in await self.handle(request, context, action: "create") { principal throws(APIError) in try await self.create(request, context: context, principal: principal) } }
        // `requests/{id}` is where fal-client looks for a request it did not submit itself (`status`, `result` and
        // `cancel` with an id), fal's queue layout under the app path `tencent-vod/v1/aigc-image`.
        for prefix in ["query", "requests"] {
            group.get("\(prefix)/:id") { request, context in await self.handle(request, context, action: "query") { principal throws(APIError) in try await self.query(context, principal: principal) } }
            group.get("\(prefix)/:id/status") { request, context in await self.handle(request, context, action: "status") { principal throws(APIError) in try await self.status(request, context, principal: principal) } }
            group.get("\(prefix)/:id/status/stream") { request, context in await self.respond(request, context, action: "status.stream") { principal throws(APIError) in try await self.statusStream(request, context, principal: principal) } }
            group.put("\(prefix)/:id/cancel") { request, context in await self.handle(request, context, action: "cancel") { principal throws(APIError) in try await self.cancel(context, principal: principal) } }
            group.post("\(prefix)/:id/cancel") { request, context in await self.handle(request, context, action: "cancel") { principal throws(APIError) in try await self.cancel(context, principal: principal) } }
        }
    }

    private func handle(_ request: Request, _ context: EaselRequestContext, action: String,
                        _ body: (Principal) async throws(APIError) -> JSONValue) async -> Response {
        await respond(request, context, action: action) { principal throws(APIError) in JSONResponse.make(try await body(principal)) }
    }

    private func respond(_ request: Request, _ context: EaselRequestContext, action: String,
                         _ body: (Principal) async throws(APIError) -> Response) async -> Response {
        let requestId = context.facts.requestId
        context.facts.record(dialect: "rest", action: action)
        if let id = context.parameters.get("id") { context.facts.record(taskId: TaskID(rawValue: id)) }
        do {
            let principal = try await BearerAuthenticator(credentials: environment.credentials).authenticate(request)
            context.facts.record(app: principal.tenant)
            return try await body(principal)
        } catch {
            context.facts.record(errorCode: error.code.rawValue)
            return error.restResponse(requestId: requestId)
        }
    }

    private func create(_ request: Request, context: EaselRequestContext, principal: Principal) async throws(APIError) -> JSONValue {
        let body = try await request.jsonBody(context: context)
        guard case .object(var members) = RESTKeys.pascalCased(body) else {
            throw .invalidParameter("The request body must be a JSON object.")
        }
        // The proxy's schema declares ext_info an object while its examples send strings: accept both.
        if let extInfo = members["ExtInfo"], case .object = extInfo {
            members["ExtInfo"] = .string(String(decoding: extInfo.encoded(), as: UTF8.self))
        }
        let command = try VODCreateDecoder.decode(FieldReader(.object(members), display: RESTKeys.snakePath), requireSubAppId: false)
        try await environment.admission.admit(principal.tenant)
        let (task, position) = try await environment.tasks.enqueue(Submission(
            tenant: principal.tenant, dialect: .rest, request: command.request, priority: command.priority,
            sessionId: command.sessionId, sessionContext: command.sessionContext, callbackURL: command.callbackURL,
            keyId: principal.secretId))
        context.facts.record(taskId: task.id)
        let base = "\(environment.links.publicBaseURL)/tencent-vod/v1/query/\(task.id)"
        return .object([
            "Response": .object(["TaskId": .string(task.id.rawValue), "RequestId": .string(context.facts.requestId)]),
            "status": .string("IN_QUEUE"),
            "request_id": .string(task.id.rawValue),
            "response_url": .string(base),
            "status_url": .string("\(base)/status"),
            "cancel_url": .string("\(base)/cancel"),
            "logs": .null,
            "metrics": .object([:]),
            "queue_position": .int(Int64(position)),
        ])
    }

    func task(_ context: EaselRequestContext, principal: Principal) async throws(APIError) -> TaskRecord {
        let id = TaskID(rawValue: context.parameters.get("id") ?? "")
        return try await environment.tasks.task(id: id, tenant: principal.tenant)
    }

    private func query(_ context: EaselRequestContext, principal: Principal) async throws(APIError) -> JSONValue {
        let task = try await task(context, principal: principal)
        return TencentEnvelope.success(VODTaskView.restQuery(task, fileURL: environment.fileURL),
                                       requestId: context.facts.requestId)
    }

    private func cancel(_ context: EaselRequestContext, principal: Principal) async throws(APIError) -> JSONValue {
        let id = TaskID(rawValue: context.parameters.get("id") ?? "")
        _ = try await environment.tasks.abort(id: id, tenant: principal.tenant)
        return .object(["status": .string("CANCELLATION_REQUESTED"), "request_id": .string(id.rawValue)])
    }
}
