import EaselCore
import Hummingbird

extension Request {
    /// The body parsed as JSON, read up to the context's upload limit; a body that is too large or not JSON is
    /// `InvalidParameter` ("The request body must be a JSON object.").
    func jsonBody(context: EaselRequestContext) async throws(APIError) -> JSONValue {
        do {
            let buffer = try await body.collect(upTo: context.maxUploadSize)
            return try JSONValue.parse(buffer.readableBytesView)
        } catch {
            throw .invalidParameter("The request body must be a JSON object.")
        }
    }
}
