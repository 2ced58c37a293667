import Crypto
import Foundation

/// Mints TaskIds in the formats real clients have seen: VOD `{SubAppId}-AigcImageTask-{32 hex}t`,
/// MPS `{AppId}-AigcImage-{32 hex}`.
public enum TaskID {
    /// A new id for a task of `dialect` owned by `tenant`.
    public static func make(for dialect: Dialect, tenant: Tenant) -> String {
        let hex = randomHex(bytes: 16)
        switch dialect {
        case .mps: return "\(tenant.appId)-AigcImage-\(hex)"
        case .vod, .rest, .openai: return "\(tenant.subAppId)-AigcImageTask-\(hex)t"
        }
    }

    /// Lower-case hex of `bytes` random bytes from the system generator.
    public static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return SigningBytes.hex((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
