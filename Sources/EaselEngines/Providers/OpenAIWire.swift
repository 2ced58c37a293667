import EaselCore
import Foundation

/// The wire pieces the OpenAI and OpenAI-compatible engines share (providers.md §1, §11a, §12): the edits
/// multipart body, the `data[]` decoding and the `{"error":{message,type,param,code}}` mapping.
enum OpenAIWire {
    static let generationsPath = "/v1/images/generations"
    static let editsPath = "/v1/images/edits"
    // b64 answers carry every image in one body: n high-resolution PNGs easily pass the 64 MiB default.
    static let maxAnswerBytes = 256 * 1024 * 1024

    /// `Authorization: Bearer …` when a key is configured.
    static func authHeaders(_ apiKey: String?) -> [(String, String)] {
        guard let apiKey, !apiKey.isEmpty else { return [] }
        return [("Authorization", "Bearer \(apiKey)")]
    }

    /// The prompt with the negative prompt appended as `"\nAvoid: <negative>"` (our choice: neither API has a field).
    static func promptAvoiding(_ request: ImageRequest) -> String {
        let prompt = request.prompt ?? ""
        guard let negative = nonEmpty(request.negativePrompt) else { return prompt }
        return prompt + "\nAvoid: " + negative
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingWhitespaceAndNewlines(), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// A `POST …/v1/images/generations` with a JSON body.
    /// `POST /v1/images/generations` without reference images, `/v1/images/edits` (multipart) with them; the edits
    /// form carries every field as text.
    static func request(baseURL: String, fields: [(String, JSONValue)], inputs: [ResolvedImage], apiKey: String?,
                        timeout: Duration) throws -> UpstreamRequest {
        if inputs.isEmpty {
            return generationsRequest(baseURL: baseURL, fields: Dictionary(fields, uniquingKeysWith: { $1 }), apiKey: apiKey,
                                      timeout: timeout)
        }
        return try editsRequest(baseURL: baseURL, fields: fields.map { ($0.0, $0.1.lenientString ?? "") }, inputs: inputs,
                                apiKey: apiKey, timeout: timeout)
    }

    static func generationsRequest(baseURL: String, fields: [String: JSONValue], apiKey: String?,
                                   timeout: Duration) -> UpstreamRequest {
        var request = UpstreamRequest.json(baseURL + generationsPath, body: .object(fields),
                                           headers: authHeaders(apiKey), timeout: timeout)
        request.maxResponseBytes = maxAnswerBytes
        return request
    }

    /// A `POST …/v1/images/edits` multipart body: the text `fields`, then one `image[]` part per reference and a
    /// `mask` part for the reference whose `referenceType` is `mask` (applied upstream to the first image).
    static func editsRequest(baseURL: String, fields: [(String, String)], inputs: [ResolvedImage], apiKey: String?,
                             timeout: Duration) throws -> UpstreamRequest {
        let masks = inputs.filter { $0.referenceType?.lowercased() == "mask" }
        let images = inputs.filter { $0.referenceType?.lowercased() != "mask" }
        guard masks.count <= 1 else {
            throw EngineError(code: "InvalidParameterValue", message: "At most one reference image may be a mask.",
                              isRetryable: false)
        }
        guard !images.isEmpty else {
            throw EngineError(code: "InvalidParameterValue", message: "A mask needs a reference image to apply to.",
                              isRetryable: false)
        }
        var form = MultipartForm()
        for (name, value) in fields { form.add(name: name, value: value) }
        for (index, image) in images.enumerated() {
            form.add(name: "image[]", filename: "image-\(index + 1).\(image.info.format.fileExtension)",
                     contentType: image.info.format.contentType, bytes: image.bytes)
        }
        if let mask = masks.first {
            form.add(name: "mask", filename: "mask.\(mask.info.format.fileExtension)",
                     contentType: mask.info.format.contentType, bytes: mask.bytes)
        }
        var request = UpstreamRequest(method: "POST", url: baseURL + editsPath,
                                      headers: [("Content-Type", form.contentType)] + authHeaders(apiKey),
                                      body: form.encoded(), timeout: timeout)
        request.maxResponseBytes = maxAnswerBytes
        return request
    }

    /// Sends `request` and returns a 2xx answer; anything else becomes the mapped `EngineError`.
    static func send(_ request: UpstreamRequest, http: UpstreamHTTP, apiKey: String?) async throws -> UpstreamResponse {
        let response = try await http.send(request)
        guard (200..<300).contains(response.status) else { throw failure(response, apiKey: apiKey) }
        return response
    }

    /// Maps an error answer: content policy → input blocked, `insufficient_quota` → ResourceInsufficient, the rest by
    /// HTTP status with `Retry-After`. The provider's message is shown only for client errors, with the key removed.
    static func failure(_ response: UpstreamResponse, apiKey: String?) -> EngineError {
        let json = response.json
        let error = json?["error"]
        let code = error?["code"]?.lenientString
        let type = error?["type"]?.lenientString
        if code == "moderation_blocked" || code == "content_policy_violation" || type == "image_generation_user_error" {
            return UpstreamFailure.inputBlocked()
        }
        if code == "insufficient_quota" || type == "insufficient_quota" {
            return UpstreamFailure.classify(status: 402)
        }
        // Compatible servers also answer `{"error": "text"}` or FastAPI's `{"detail": "text"}`.
        let message = error?["message"]?.lenientString ?? error?.lenientString ?? json?["detail"]?.lenientString
        return UpstreamFailure.classify(status: response.status, retryAfter: response.retryAfter,
                                        detail: message.flatMap { scrubbed($0, apiKey: apiKey) })
    }

    private static func scrubbed(_ message: String, apiKey: String?) -> String? {
        var text = message
        if let apiKey, !apiKey.isEmpty { text = text.replacingOccurrences(of: apiKey, with: "***") }
        text = String(text.prefix(300)).trimmingWhitespaceAndNewlines()
        return text.isEmpty ? nil : text
    }

    /// The images of a success answer: `data[].b64_json`, or `data[].url` fetched with `download` (at most `limit`).
    static func images(from response: UpstreamResponse, limit: Int,
                       download: ((String) async throws -> [UInt8])? = nil) async throws -> [GeneratedImage] {
        let items = try answerItems(response)
        guard !items.isEmpty else { throw UpstreamFailure.noImage() }
        var images: [GeneratedImage] = []
        for item in items.prefix(max(limit, 1)) {
            let bytes: [UInt8]
            if let encoded = nonEmpty(item.base64) {
                bytes = try decodeBase64(encoded)
            } else if let link = nonEmpty(item.url) {
                if link.hasPrefix("data:") {
                    bytes = try decodeBase64(link)
                } else if let download {
                    bytes = try await download(link)
                } else {
                    throw UpstreamFailure.malformed("a URL where b64_json was expected")
                }
            } else {
                throw UpstreamFailure.malformed("an image without b64_json or url")
            }
            guard let info = ImageProbe.inspect(bytes) else { throw UpstreamFailure.malformed("the data is not an image") }
            images.append(GeneratedImage(bytes: bytes, info: info))
        }
        return images
    }

    /// The usual answer, decoded straight into its two fields: a `JSONValue` tree of a megabyte of Base64 cost a
    /// tenth of a node's CPU at a thousand images a second.
    private struct ImagesAnswer: Decodable {
        struct Item: Decodable {
            let base64: String?
            let url: String?

            enum CodingKeys: String, CodingKey {
                case base64 = "b64_json"
                case url
            }
        }

        let data: [Item]
    }

    /// `data[]` as (b64_json, url) pairs: the exact shape first, else the lenient reading (keys in any case, numbers
    /// and strings alike) that odd gateways need.
    private static func answerItems(_ response: UpstreamResponse) throws -> [(base64: String?, url: String?)] {
        if let answer = try? JSONDecoder().decode(ImagesAnswer.self, from: Data(response.body)),
           answer.data.allSatisfy({ nonEmpty($0.base64) != nil || nonEmpty($0.url) != nil }) {
            return answer.data.map { ($0.base64, $0.url) }
        }
        guard let json = response.json else { throw UpstreamFailure.malformed("the body is not JSON") }
        guard let items = json["data"]?.arrayValue else { throw UpstreamFailure.malformed("no data array") }
        return items.map { ($0["b64_json"]?.lenientString, $0["url"]?.lenientString) }
    }

    /// Base64 with or without a `data:…;base64,` prefix (some gateways add one).
    private static func decodeBase64(_ text: String) throws -> [UInt8] {
        let payload = text.hasPrefix("data:") ? String(text.drop { $0 != "," }.dropFirst()) : text
        guard let data = Data(base64Encoded: payload, options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw UpstreamFailure.malformed("the image data is not base64")
        }
        return Array(data)
    }
}

/// A `multipart/form-data` body (RFC 7578) built part by part.
struct MultipartForm {
    let boundary: String
    private var body: [UInt8] = []

    init(boundary: String = "easel-" + UUID().uuidString.lowercased()) {
        self.boundary = boundary
    }

    /// The `Content-Type` header value, with the boundary.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Adds a text field.
    mutating func add(name: String, value: String) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n")
        append(value)
        append("\r\n")
    }

    /// Adds a file part.
    mutating func add(name: String, filename: String, contentType: String, bytes: [UInt8]) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        append("Content-Type: \(contentType)\r\n\r\n")
        body += bytes
        append("\r\n")
    }

    /// The finished body, with the closing delimiter.
    func encoded() -> [UInt8] {
        body + Array("--\(boundary)--\r\n".utf8)
    }

    private mutating func append(_ text: String) {
        body += Array(text.utf8)
    }
}
