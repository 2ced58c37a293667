import EaselCore
import Hummingbird
import Logging

/// Serves Tencent API 3.0 calls (VOD 2018-07-17 and MPS 2019-06-12) on any path: routes on the action and version,
/// verifies the signature, and always answers HTTP 200 with the Tencent envelope and a RequestId.
struct TencentGateway: RouterMiddleware {
    typealias Context = EaselRequestContext

    let environment: ServerEnvironment

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard TencentCall.isTencentCall(request) else { return try await next(request, context) }
        let facts = context.facts
        let requestId = facts.requestId
        do {
            let call = try await TencentCall.parse(request, context: context)
            facts.record(dialect: Self.dialect(call.version), action: Self.actionLabel(call))
            if let taskId = call.params["TaskId"]?.lenientString { facts.record(taskId: TaskID(rawValue: taskId)) }
            let fields = try await respond(to: call, facts: facts)
            if let taskId = fields["TaskId"]?.lenientString { facts.record(taskId: TaskID(rawValue: taskId)) }
            return JSONResponse.make(TencentEnvelope.success(fields, requestId: requestId))
        } catch {
            facts.record(errorCode: error.code.rawValue)
            return error.tencentResponse(requestId: requestId)
        }
    }

    private func respond(to call: TencentCall, facts: RequestFacts) async throws(APIError) -> [String: JSONValue] {
        guard !call.action.isEmpty else { throw .missing("Action") }
        let service: String
        switch call.version {
        case "2018-07-17": service = "vod"
        case "2019-06-12": service = "mps"
        case "": throw .missing("Version")
        default: throw APIError("NoSuchVersion", "The API version `\(call.version)` does not exist; use 2018-07-17 (VOD) or 2019-06-12 (MPS).")
        }
        let principal = try await TencentAuthenticator(credentials: environment.credentials)
            .authenticate(call, service: service)
        facts.record(app: principal.tenant)
        let params = FieldReader(call.params)
        if service == "vod" {
            return try await VODActions(environment: environment, principal: principal).perform(call.action, params: params)
        }
        return try await MPSActions(environment: environment, principal: principal).perform(call.action, params: params)
    }
}

extension TencentGateway {
    static let vodActions: Set<String> = ["CreateAigcImageTask", "DescribeTaskDetail", "DescribeTasks", "ManageTask",
                                          "PullEvents", "ConfirmEvents"]
    static let mpsActions: Set<String> = ["CreateAigcImageTask", "DescribeAigcImageTask"]

    /// The metrics dialect of a call: its API version decides.
    static func dialect(_ version: String) -> String {
        switch version {
        case "2018-07-17": "vod"
        case "2019-06-12": "mps"
        default: "other"
        }
    }

    /// The Action as a metrics label: the actions Easel serves, anything a client invents as `other`.
    static func actionLabel(_ call: TencentCall) -> String {
        let known = call.version == "2019-06-12" ? mpsActions : vodActions
        return known.contains(call.action) ? call.action : "other"
    }
}

extension Error {
    /// The client-facing form of any error: API errors as they are, anything else as a bare InternalError.
    var apiError: APIError {
        if let error = self as? APIError { return error }
        if let error = self as? SignatureError { return APIError(code: error.code, error.message) }
        return .internalError
    }
}
