import EaselCore
import Foundation

/// Fetches the images a finished upstream job produced, with one size limit and one error mapping for every
/// provider:
/// - a URL that is not http(s) → `ModelGenerateFailed` ("result URL", retryable);
/// - an answer over ``maxBytes`` → `ModelGenerateFailed` "The upstream's answer was too large." (not retryable);
/// - HTTP 408, 429, 5xx → what ``UpstreamFailure/classify(status:retryAfter:detail:)`` says (retryable);
/// - any other non-2xx → `ModelGenerateFailed` "A result image could not be downloaded (HTTP n)." (retryable: result
///   URLs expire, and a retry resumes the job and polls for fresh ones);
/// - bytes that are not PNG, JPEG or WebP → `ModelGenerateFailed` ("result image", retryable).
public struct ResultDownloader: Sendable {
    /// The size limit when the channel sets no `max_image_bytes`.
    public static let defaultMaxBytes = 64 * 1024 * 1024

    /// The error for an answer over the limit (the transport reports the same one).
    public static let tooLarge = EngineError(code: "ModelGenerateFailed", message: "The upstream's answer was too large.",
                                             isRetryable: false)

    private let http: UpstreamHTTP
    /// The largest image accepted, in bytes.
    public let maxBytes: Int
    private let headers: @Sendable (String) -> [(String, String)]

    /// Creates a downloader. `headers` gives the fields sent with each URL: none by default, since result hosts must
    /// never see the channel's credentials (a provider serving its own results passes them for its own origin only).
    public init(http: UpstreamHTTP, maxBytes: Int = defaultMaxBytes,
                headers: @escaping @Sendable (String) -> [(String, String)] = { _ in [] }) {
        self.http = http
        self.maxBytes = max(maxBytes, 1)
        self.headers = headers
    }

    /// The images of `results`, downloading URLs in order within `deadline`.
    public func images(_ results: PollAnswer.Results, deadline: JobDeadline) async throws -> [GeneratedImage] {
        switch results {
        case .bytes(let files):
            return try files.map(Self.checked)
        case .urls(let urls):
            var images: [GeneratedImage] = []
            for url in urls {
                try Task.checkCancellation()
                images.append(try await fetch(url, timeout: try deadline.remaining()))
            }
            return images
        }
    }

    /// Downloads and checks one image.
    public func fetch(_ url: String, timeout: Duration) async throws -> GeneratedImage {
        guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw UpstreamFailure.malformed("result URL")
        }
        let response = try await http.send(UpstreamRequest(method: "GET", url: url, headers: headers(url), timeout: timeout,
                                                           maxResponseBytes: maxBytes))
        switch response.status {
        case 200..<300:
            guard response.body.count <= maxBytes else { throw Self.tooLarge }
            return try Self.checked(response.body)
        case 408, 429, 500...599:
            throw UpstreamFailure.classify(status: response.status, retryAfter: response.retryAfter)
        default:
            throw EngineError(code: "ModelGenerateFailed",
                              message: "A result image could not be downloaded (HTTP \(response.status)).", isRetryable: true)
        }
    }

    private static func checked(_ bytes: [UInt8]) throws -> GeneratedImage {
        guard let info = ImageProbe.inspect(bytes) else { throw UpstreamFailure.malformed("result image") }
        return GeneratedImage(bytes: bytes, info: info)
    }
}
