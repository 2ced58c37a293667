import EaselCore
import Foundation
import Metrics

/// The labels of one request in `easel_http_requests_total` and `easel_http_request_duration_seconds`: the dialect
/// and action the route recorded (or what the path tells), and the dialect's error code or `OK`. Each comes from a
/// small set — unknown Tencent actions are `other`, codes are Easel's own — so client input never becomes a series.
struct RequestLabels: Sendable, Equatable {
    var dialect: String
    var action: String
    var code: String

    init(path: String, status: Int, facts: RequestFacts.Snapshot) {
        dialect = facts.dialect ?? Self.dialect(ofPath: path)
        action = facts.action ?? "other"
        code = Self.sanitized(facts.errorCode) ?? (status < 400 ? "OK" : "HTTP\(status)")
    }

    /// The dialect that owns a path no route recorded one for.
    static func dialect(ofPath path: String) -> String {
        if path == "/easel/v1/admin" || path.hasPrefix("/easel/v1/admin/") { return "admin" }
        switch DialectPath.owner(of: path) {
        case .rest: return "rest"
        case .openAI: return "openai"
        case .easel: return "easel"
        case .files: return "files"
        case .health, nil: return "other"
        }
    }

    // Codes are Easel's (`InvalidParameterValue.SessionId`); anything else is folded so it cannot add series.
    private static func sanitized(_ code: String?) -> String? {
        guard let code, !code.isEmpty else { return nil }
        let allowed = code.count <= 64 && code.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_"
        }
        return allowed ? code : "Other"
    }
}

/// Records the HTTP request metrics.
enum HTTPMetrics {
    static func record(_ labels: RequestLabels, duration: Duration) {
        Counter(label: "easel_http_requests_total",
                dimensions: [("dialect", labels.dialect), ("action", labels.action), ("code", labels.code)]).increment()
        Metrics.Timer(label: "easel_http_request_duration_seconds",
                      dimensions: [("dialect", labels.dialect), ("action", labels.action)])
            .record(duration: duration)
    }
}
