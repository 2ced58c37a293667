import EaselCore
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The console's Mustache templates (`ConsoleTemplates`), compiled once. Every value is inserted with `{{…}}`, which
/// HTML-escapes it; no template uses triple braces. Pages are sent with a strict Content-Security-Policy: scripts and
/// styles only from `/console/static/…`, no inline script, no framing.
struct ConsolePages: Sendable {
    static let securityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src * data:; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    private let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            // The templates are constants of this module; a parse failure is a programming error caught by the tests.
            try? library.register(text, named: name)
        }
        self.library = library
    }

    /// Whether the template `name` is registered (it parsed).
    func has(_ name: String) -> Bool {
        library.getTemplate(named: name) != nil
    }

    /// `template` rendered with `values`; an unknown template renders as an empty string.
    func render(_ template: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: template) ?? ""
    }

    /// An HTML response with the console's security headers.
    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = securityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A JSON value as template data: objects and arrays become dictionaries and arrays, nulls are left out (a
    /// missing key is empty and false in a template).
    static func value(_ json: JSONValue) -> Any? {
        switch json {
        case .null: nil
        case .bool(let value): value
        case .int(let value): value
        case .double(let value): value
        case .string(let value): value
        case .array(let values): values.compactMap(value)
        case .object(let members): members.compactMapValues(value)
        }
    }

    /// `json`'s members as template data.
    static func object(_ json: JSONValue) -> [String: Any] {
        (value(json) as? [String: Any]) ?? [:]
    }
}
