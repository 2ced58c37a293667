import EaselMacros
import Foundation

/// A failed S3 call. It carries what the service said (HTTP status and the `<Code>`, `<Message>` and `<RequestId>` of
/// the XML error body), never credentials, signatures or presigned URLs, so it is safe to log and to show.
@MemberwiseInit
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the failure happened.
    public enum Kind: String, Sendable, Equatable {
        /// The service answered with an error status.
        case service
        /// The request never got a complete answer (connection refused, timeout, TLS, …).
        case transport
        /// The response body was larger than the configured limit.
        case responseTooLarge
        /// The call was rejected locally before anything was sent (bad bucket name, unusable endpoint).
        case invalidRequest
    }

    /// Where the failure happened.
    public let kind: Kind
    /// The S3 operation, e.g. `PutObject`.
    public let operation: String
    /// The HTTP status, for ``Kind/service`` and ``Kind/responseTooLarge``.
    public let status: Int?
    /// The S3 error code (`NoSuchKey`, `SignatureDoesNotMatch`, `AccessDenied`, …), when the body had one.
    public let code: String?
    /// The human-readable `<Message>` or, for local failures, a short explanation.
    public let message: String?
    /// The `<RequestId>` to quote to the provider.
    public let requestID: String?

    /// An error status answered by the service, with the details parsed from its XML error body (S3 error bodies
    /// look like `<Error><Code>NoSuchKey</Code><Message>…</Message><RequestId>…</RequestId></Error>`).
    public static func service(operation: String, status: Int, body: [UInt8]) -> S3Error {
        let xml = String(decoding: body.prefix(64 * 1024), as: UTF8.self)
        return S3Error(kind: .service, operation: operation, status: status, code: element("Code", in: xml),
                       message: element("Message", in: xml), requestID: element("RequestId", in: xml))
    }

    /// Whether this is the service saying the object does not exist (404 `NoSuchKey`, or a 404 without body as
    /// HEAD answers), as opposed to a missing bucket.
    public var isNoSuchKey: Bool {
        kind == .service && status == 404 && (code == "NoSuchKey" || code == nil)
    }

    public var description: String {
        var parts = ["S3 \(operation) failed (\(kind.rawValue)"]
        if let status { parts.append("HTTP \(status)") }
        if let code { parts.append(code) }
        var text = parts.joined(separator: ", ") + ")"
        if let message { text += ": \(message)" }
        if let requestID { text += " [request \(requestID)]" }
        return text
    }

    /// The text of the first `<name>…</name>` element in `xml`, with the five predefined entities decoded; nil
    /// when absent or empty. S3 error bodies are flat, so no XML parser is needed.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"),
              let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else { return nil }
        let raw = String(xml[open.upperBound..<close.lowerBound])
        let text = raw.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
        return text.isEmpty ? nil : String(text.prefix(1_024))
    }
}
