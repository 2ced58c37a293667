import EaselCore

/// A whole HTTP answer.
struct HTTPAnswer: Sendable {
    /// The URL that was requested.
    let url: String
    /// The status code.
    let status: Int
    /// The Content-Type header.
    let contentType: String?
    /// The body.
    let body: [UInt8]

    /// Whether the status is 2xx.
    var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as JSON, or nil when it is not JSON.
    var json: JSONValue? { try? JSONValue.parse(body) }
}
