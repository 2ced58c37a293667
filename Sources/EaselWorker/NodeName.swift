import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a node names itself in task logs: the host name and the process id, e.g. `web-3:4121`.
public enum NodeName {
    /// This process's name. `gethostname` rather than `ProcessInfo.hostName`, which may wait on a DNS lookup.
    public static let current: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "node"
        return "\(host.isEmpty ? "node" : host):\(ProcessInfo.processInfo.processIdentifier)"
    }()
}
