import Hummingbird

/// The path parameters of an admin route, validated.
struct AdminPathParameters: Sendable {
    private let parameters: [String: String]

    init(_ context: EaselRequestContext) {
        var values: [String: String] = [:]
        for (name, value) in context.parameters { values[String(name)] = String(value) }
        parameters = values
    }

    /// The `app_id` segment.
    func appId() throws(AdminError) -> Int64 {
        let text = parameters["app_id"] ?? ""
        guard text.count <= 19, text.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(text), id >= 1 else {
            throw .invalid("app_id must be a positive integer, got `\(text.prefix(40))`.")
        }
        return id
    }

    /// An id segment of printable ASCII without spaces, at most `maxLength` characters.
    func identifier(_ name: String, maxLength: Int = 128) throws(AdminError) -> String {
        let text = parameters[name] ?? ""
        guard !text.isEmpty, text.count <= maxLength, text.allSatisfy({ $0.asciiValue.map { (0x21..<0x7f).contains($0) } == true }) else {
            throw .invalid("\(name) must be 1 to \(maxLength) printable characters, got `\(text.prefix(40))`.")
        }
        return text
    }
}
