import EaselCore
import Foundation
import Hummingbird

/// Easel's own delivery API (Bearer): list an app's webhook/callback deliveries and replay one, e.g. after it was
/// dead-lettered. `GET /easel/v1/deliveries?status=dead`, `POST /easel/v1/deliveries/{id}/replay`.
struct DeliveryRoutes: Sendable {
    let environment: ServerEnvironment

    func register(on router: Router<EaselRequestContext>) {
        let group = router.group("easel/v1/deliveries")
        group.get { request, context in
            await respond(request, context, action: "deliveries.list") { principal throws(APIError) in
                let statusText = request.uri.queryParameters.get("status")
                var status: Delivery.Status?
                if let statusText {
                    guard let parsed = Delivery.Status(rawValue: statusText) else {
                        throw .invalidValue("status must be pending, delivered or dead, got `\(statusText)`.")
                    }
                    status = parsed
                }
                let deliveries: [Delivery]
                do {
                    deliveries = try await environment.outbox.deliveries(tenant: principal.tenant, status: status, limit: 100)
                } catch {
                    throw .internalError
                }
                return .object(["deliveries": .array(deliveries.map(Self.view))])
            }
        }
        group.post(":id/replay") { request, context in
            await respond(request, context, action: "deliveries.replay") { principal throws(APIError) in
                let id = context.parameters.get("id") ?? ""
                let replayed: Bool
                do {
                    replayed = try await environment.outbox.replayDelivery(id: id, tenant: principal.tenant, now: Date())
                } catch {
                    throw .internalError
                }
                guard replayed else { throw APIError("ResourceNotFound", "The delivery `\(id)` does not exist.") }
                return .object(["id": .string(id), "status": .string("pending")])
            }
        }
    }

    private func respond(_ request: Request, _ context: EaselRequestContext, action: String,
                         _ body: (Principal) async throws(APIError) -> JSONValue) async -> Response {
        context.facts.record(dialect: "easel", action: action)
        do {
            let principal = try await BearerAuthenticator(credentials: environment.credentials).authenticate(request)
            context.facts.record(app: principal.tenant)
            let response = JSONResponse.make(try await body(principal))
            environment.wakeDeliveries()
            return response
        } catch {
            context.facts.record(errorCode: error.code.rawValue)
            return error.restResponse(requestId: context.facts.requestId)
        }
    }

    static func view(_ delivery: Delivery) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(delivery.id), "task_id": .string(delivery.taskId.rawValue), "url": .string(delivery.url),
            "format": .string(delivery.format.rawValue), "status": .string(delivery.status.rawValue),
            "attempts": .int(Int64(delivery.attempts)), "created_at": .string(ISOTime.string(delivery.createdAt)),
            "next_attempt_at": .string(ISOTime.string(delivery.nextAttemptAt)),
        ]
        if let error = delivery.lastError { object["last_error"] = .string(error) }
        if let delivered = delivery.deliveredAt { object["delivered_at"] = .string(ISOTime.string(delivered)) }
        return .object(object)
    }
}
