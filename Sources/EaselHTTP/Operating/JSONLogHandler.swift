import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line: `time` (ISO-8601 UTC with milliseconds), `level`,
/// `message`, `label`, then the metadata flattened (`{"a": {"b": "c"}}` becomes `"a.b": "c"`; a key that would shadow
/// one of the four is written as `metadata.<key>`). Integers, floating-point numbers and booleans logged as
/// `.stringConvertible` stay JSON numbers and booleans.
public struct JSONLogHandler: LogHandler {
    /// Receives each finished line, newline included.
    public typealias Sink = @Sendable (String) -> Void

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let sink: Sink

    /// A handler writing to standard error.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider, sink: Self.standardError)
    }

    /// A handler writing to `sink`.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        var line = "{\"time\":"
        JSONText.appendString(Self.timestamp(Date()), to: &line)
        line += ",\"level\":"
        JSONText.appendString(event.level.rawValue, to: &line)
        line += ",\"message\":"
        JSONText.appendString(event.message.description, to: &line)
        line += ",\"label\":"
        JSONText.appendString(label, to: &line)
        var fields: [(String, Logger.Metadata.Value)] = []
        Self.flatten(merged, prefix: "", into: &fields)
        if let error = event.error, merged["error"] == nil { fields.append(("error", .string(String(describing: error)))) }
        for (key, value) in fields.sorted(by: { $0.0 < $1.0 }) {
            line += ","
            JSONText.appendString(Self.reserved.contains(key) ? "metadata.\(key)" : key, to: &line)
            line += ":"
            JSONText.append(value, to: &line)
        }
        line += "}\n"
        sink(line)
    }

    static let reserved: Set<String> = ["time", "level", "message", "label"]

    static func flatten(_ metadata: Logger.Metadata, prefix: String, into fields: inout [(String, Logger.Metadata.Value)]) {
        for (key, value) in metadata {
            if case .dictionary(let nested) = value, !nested.isEmpty {
                flatten(nested, prefix: "\(prefix)\(key).", into: &fields)
            } else {
                fields.append(("\(prefix)\(key)", value))
            }
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    // Lines are written whole under a lock, so lines of concurrent tasks never interleave.
    private static let output = Mutex(())

    private static let standardError: Sink = { line in
        output.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }
}

/// JSON text for log lines.
enum JSONText {
    static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &line)
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool: line += flag ? "true" : "false"
            case let number as any BinaryInteger: line += "\(number)"
            case let number as Double where number.isFinite: line += "\(number)"
            case let number as Float where number.isFinite: line += "\(number)"
            default: appendString(convertible.description, to: &line)
            }
        case .array(let items):
            line += "["
            for (index, item) in items.enumerated() {
                if index > 0 { line += "," }
                append(item, to: &line)
            }
            line += "]"
        case .dictionary(let members):
            line += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                append(members[key] ?? .string(""), to: &line)
            }
            line += "}"
        }
    }

    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case let control where control.value < 0x20 || control.value == 0x2028 || control.value == 0x2029:
                line += "\\u" + String(format: "%04x", control.value)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
