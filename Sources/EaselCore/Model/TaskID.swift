import Crypto
import Foundation

/// A task's id, in the format real clients have seen for its dialect: VOD, REST and OpenAI
/// `{SubAppId}-AigcImageTask-{32 hex}t`, MPS `{AppId}-AigcImage-{32 hex}`. Stored and sent as its text; a text a
/// client sends is wrapped as it is (an unknown id is simply not found), and `format` tells what it claims to be.
public struct TaskID: RawRepresentable, Sendable, Hashable, Codable, Comparable, ExpressibleByStringInterpolation,
                      CustomStringConvertible {
    /// The shapes of ids Easel mints.
    public enum Format: Sendable, Equatable {
        /// `{SubAppId}-AigcImageTask-{32 hex}t` (VOD, REST, OpenAI), with its sub-app id.
        case vod(subAppId: Int64)
        /// `{AppId}-AigcImage-{32 hex}` (MPS), with its app id.
        case mps(appId: Int64)
    }

    /// The id as it goes on the wire.
    public let rawValue: String

    /// Wraps an id.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps an id written in the source.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// Wraps an id written in the source with interpolations.
    public init(stringInterpolation: DefaultStringInterpolation) {
        self.rawValue = String(stringInterpolation: stringInterpolation)
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: TaskID, rhs: TaskID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A new id for a task of `dialect` owned by `tenant`.
    public static func make(for dialect: Dialect, tenant: Tenant) -> TaskID {
        let hex = randomHex(bytes: 16)
        switch dialect {
        case .mps: return TaskID(rawValue: "\(tenant.appId)-AigcImage-\(hex)")
        case .vod, .rest, .openai: return TaskID(rawValue: "\(tenant.subAppId)-AigcImageTask-\(hex)t")
        }
    }

    /// The format the id is in, if it is one Easel mints.
    public var format: Format? {
        let parts = rawValue.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let owner = Int64(parts[0]), owner > 0 else { return nil }
        let tail = parts[2]
        switch parts[1] {
        case "AigcImageTask" where tail.count == 33 && tail.hasSuffix("t") && Self.isHex(tail.dropLast()):
            return .vod(subAppId: owner)
        case "AigcImage" where tail.count == 32 && Self.isHex(tail):
            return .mps(appId: owner)
        default:
            return nil
        }
    }

    /// Lower-case hex of `bytes` random bytes from the system generator.
    public static func randomHex(bytes: Int) -> String {
        // Eight bytes per draw: the system generator makes one getrandom(2) call per draw, and a byte per draw was
        // 16 system calls per task id (2 % of a create under perf).
        var generator = SystemRandomNumberGenerator()
        var random: [UInt8] = []
        random.reserveCapacity(bytes + 7)
        while random.count < bytes {
            withUnsafeBytes(of: generator.next() as UInt64) { random.append(contentsOf: $0) }
        }
        return SigningBytes.hex(random.prefix(bytes))
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
