import EaselCore
import Foundation

/// Decodes `application/x-www-form-urlencoded` text (query strings and v1 form bodies), keeping order.
enum FormParameters {
    /// Pairs in order. A name that is empty or not valid percent-encoding is skipped; a value that is not valid
    /// percent-encoding is refused, because the signature covers the decoded text.
    ///
    /// - Throws: `InvalidParameter` for more than ``JSONValue/FlattenedLimits/maxParameters`` pairs or a value
    ///   with broken percent-encoding.
    static func decode(_ text: String) throws(APIError) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        for pair in text.split(separator: "&") {
            guard pairs.count < JSONValue.FlattenedLimits.maxParameters else {
                throw .invalidParameter("The request has more than \(JSONValue.FlattenedLimits.maxParameters) parameters.")
            }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(parts[0]), !name.isEmpty else { continue }
            guard parts.count > 1 else {
                pairs.append((name, ""))
                continue
            }
            guard let value = unescape(parts[1]) else {
                throw .invalidParameter("The value of `\(name.prefix(64))` is not valid percent-encoding.")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func unescape(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
