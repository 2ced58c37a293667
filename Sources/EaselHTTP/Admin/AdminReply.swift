import EaselCore
import Hummingbird

/// A successful admin answer.
struct AdminReply: Sendable {
    var body: JSONValue
    var status: HTTPResponse.Status = .ok
}
