import EaselCore
import EaselServices
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The OpenAI images API: `POST /v1/images/generations` answers synchronously (within a bounded wait) as OpenAI
/// clients expect, and `GET /v1/models` lists the catalog. Errors use OpenAI's `{"error": {...}}` envelope.
struct OpenAIRoutes: Sendable {
    let environment: ServerEnvironment

    func register(on router: Router<EaselRequestContext>) {
        OpenAITaskRoutes(environment: environment).register(on: router)
        router.post("v1/images/generations") { request, context in
            await self.respond(context, action: "images.generations") { () throws(APIError) -> JSONValue in
                try await self.generate(request, context: context)
            }
        }
        router.get("v1/models") { request, context in
            await self.respond(context, action: "models") { () throws(APIError) -> JSONValue in
                let principal = try await BearerAuthenticator(credentials: environment.credentials).authenticate(request)
                context.facts.record(app: principal.tenant)
                return .object(["object": .string("list"), "data": .array(environment.catalog.openAIModelIDs.map { id in
                    .object(["id": .string(id), "object": .string("model"), "created": .int(0), "owned_by": .string("easel")])
                })])
            }
        }
    }

    private func respond(_ context: EaselRequestContext, action: String,
                         _ body: () async throws(APIError) -> JSONValue) async -> Response {
        context.facts.record(dialect: "openai", action: action)
        do {
            return JSONResponse.make(try await body())
        } catch {
            context.facts.record(errorCode: error.code.rawValue)
            return error.openAIResponse()
        }
    }

    private func generate(_ request: Request, context: EaselRequestContext) async throws(APIError) -> JSONValue {
        let principal = try await BearerAuthenticator(credentials: environment.credentials).authenticate(request)
        context.facts.record(app: principal.tenant)
        let body = try await request.jsonBody(context: context)
        let decoded = try OpenAIImageDecoder.decode(FieldReader(body), catalog: environment.catalog,
                                                     aliases: environment.openAI.aliases,
                                                     defaultModel: environment.openAI.defaultModel)
        try await environment.admission.admit(principal.tenant)
        // An Idempotency-Key makes a retried request return the first request's task instead of creating another.
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!].map { "idem:" + SHA256.hex(of: $0).prefix(40) }
        let created = try await environment.tasks.submit(Submission(
            tenant: principal.tenant, dialect: .openai, request: decoded.command.request,
            callbackURL: decoded.command.callbackURL, idempotencyKey: idempotencyKey, keyId: principal.secretId))
        context.facts.record(taskId: created.id)
        let task = try await environment.tasks.waitForCompletion(id: created.id, tenant: principal.tenant,
                                                                 timeout: environment.openAI.waitTimeout)
        switch task.status {
        case .succeeded:
            return try await result(task, format: decoded.responseFormat)
        case .failed, .aborted:
            throw APIError(task.errorCode ?? .internalError, "Task \(task.id) failed: \(task.errorMessage ?? "unknown error")")
        case .waiting, .processing:
            throw APIError("TaskTimeout", "Task \(task.id) did not finish within \(environment.openAI.waitTimeout); query it later by id.")
        }
    }

    private func result(_ task: TaskRecord, format: OpenAIImageCommand.ResponseFormat) async throws(APIError) -> JSONValue {
        var data: [JSONValue] = []
        for output in task.outputs {
            var item: [String: JSONValue] = ["revised_prompt": .string(task.request.prompt ?? "")]
            switch format {
            case .url:
                item["url"] = .string(environment.fileURL(output))
            case .b64JSON:
                guard let bytes = try? await environment.blobs.get(key: output.blobKey) else { throw .internalError }
                item["b64_json"] = .string(Data(bytes).base64EncodedString())
            }
            data.append(.object(item))
        }
        var body: [String: JSONValue] = [
            "created": .int(Int64(task.createdAt.timeIntervalSince1970)),
            "data": .array(data),
            "easel_task_id": .string(task.id.rawValue),
        ]
        if let first = task.outputs.first {
            body["size"] = .string("\(first.width)x\(first.height)")
            body["output_format"] = .string(first.fileType == "jpg" ? "jpeg" : first.fileType)
        }
        return .object(body)
    }
}
