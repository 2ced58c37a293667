extension JSONValue {
    /// Why bytes are not a JSON document, and where.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The byte offset at which the document stopped making sense.
        public let offset: Int
        /// What was expected or found there.
        public let reason: String

        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// How deep arrays and objects may nest: Foundation's `JSONDecoder` limit, and what keeps hostile input from
    /// exhausting the stack.
    public static let maxNesting = 512

    /// Parses UTF-8 JSON bytes.
    ///
    /// Accepts what Foundation's `JSONDecoder` accepted when this type decoded through it, so stored and incoming
    /// documents read the same: any value at the top, surrounding whitespace and a leading byte-order mark, one
    /// trailing comma in an array or object, the first of duplicate keys. Integral numbers that fit (`1`, `1.0`,
    /// `1e2`) are ``int(_:)``, other finite numbers ``double(_:)``; strings must be valid UTF-8 without raw control
    /// characters or lone surrogate escapes.
    public static func parse(_ bytes: some Collection<UInt8>) throws(SyntaxError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SyntaxError) -> JSONValue in try parseContiguous(buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(SyntaxError) in try parseContiguous(buffer) }
    }

    private static func parseContiguous(_ buffer: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: buffer)
        return try parser.document()
    }
}
