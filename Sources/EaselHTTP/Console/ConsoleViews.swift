import EaselCore
import Foundation

/// Turns the admin API's JSON views into template data: a task's VOD-style state label, readable times and sizes.
enum ConsoleViews {
    /// The state as VOD names it (WAITING, PROCESSING, FINISH, ABORTED), from the admin view's status.
    static func label(_ status: String) -> String {
        switch status {
        case TaskStatus.waiting.rawValue: "WAITING"
        case TaskStatus.processing.rawValue: "PROCESSING"
        case TaskStatus.aborted.rawValue: "ABORTED"
        default: "FINISH"
        }
    }

    /// A task summary (admin view) with display fields added.
    static func task(_ summary: [String: Any]) -> [String: Any] {
        var row = summary
        let status = summary["status"] as? String ?? ""
        row["label"] = label(status)
        row["status_class"] = "status-\(status)"
        for key in ["created_at", "started_at", "finished_at"] {
            if let text = summary[key] as? String { row[key + "_shown"] = shown(text) }
        }
        return row
    }

    /// An ISO-8601 time as `YYYY-MM-DD HH:MM:SS` (UTC).
    static func shown(_ iso: String) -> String {
        String(iso.replacingOccurrences(of: "T", with: " ").prefix(19))
    }

    /// A byte count as B, KiB or MiB.
    static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / 1024 / 1024)
    }
}

extension ConsoleViews {
    /// The longest inline reference image shown as a thumbnail.
    static let thumbnailLimit = 2 * 1024 * 1024

    /// The request's reference images: a thumbnail (the URL, or the inline bytes as a data URL) and a caption.
    static func inputs(_ inputs: [[String: Any]]) -> [[String: Any]] {
        inputs.map { input in
            var shown: [String: Any] = [:]
            if let url = input["url"] as? String, url.hasPrefix("http://") || url.hasPrefix("https://") {
                shown["thumb"] = url
                shown["label"] = url
            } else if let base64 = input["base64"] as? String {
                if base64.count <= thumbnailLimit { shown["thumb"] = "data:image/png;base64," + base64 }
                shown["label"] = "inline image"
            } else {
                shown["label"] = "file " + (input["file_id"] as? String ?? "?")
            }
            if let text = input["text"] as? String { shown["label"] = "\(shown["label"] ?? "") — \(text)" }
            return shown
        }
    }

    /// The request as indented JSON, inline image bytes shortened.
    static func json(_ request: [String: Any]) -> String {
        var request = request
        request["inputs"] = (request["inputs"] as? [[String: Any]])?.map { input in
            var input = input
            if let base64 = input["base64"] as? String, base64.count > 64 { input["base64"] = "\(base64.prefix(64))… (\(base64.count) characters)" }
            return input
        }
        guard JSONSerialization.isValidJSONObject(request),
              let data = try? JSONSerialization.data(withJSONObject: request, options: [.prettyPrinted, .sortedKeys]) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
