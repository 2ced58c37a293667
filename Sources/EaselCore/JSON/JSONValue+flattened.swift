/// Builds nested values from the flattened parameters that GET requests and signature v1 send
/// (`FileInfos.0.Url=…`, `OutputConfig.AspectRatio=16:9`): every value arrives as a string.
extension JSONValue {
    /// Limits that keep hostile flattened input cheap: real Tencent calls send a few dozen parameters at most three
    /// levels deep (`FileInfos.0.Url`).
    public enum FlattenedLimits {
        /// Most parameters in one request.
        public static let maxParameters = 1_000
        /// Most dot-separated segments in one key.
        public static let maxDepth = 16
        /// Largest array index (`FileInfos.99`).
        public static let maxIndex = 999
    }

    /// Nests `A.0.B`-style keys into objects and arrays. An object whose keys are exactly `0`…`n-1`, written in
    /// canonical decimal (no sign, no leading zero), becomes an array; any other keys (`+1`, `01`, a gap) keep it an
    /// object. A later duplicate key replaces an earlier one.
    ///
    /// - Throws: `InvalidParameter` when there are more than ``FlattenedLimits/maxParameters`` parameters, a key
    ///   is deeper than ``FlattenedLimits/maxDepth`` or has an empty segment, or a name is used both as a value
    ///   and as an object (`A=1&A.B=2`).
    public static func unflatten(_ parameters: [(key: String, value: String)]) throws(APIError) -> JSONValue {
        guard parameters.count <= FlattenedLimits.maxParameters else {
            throw .invalidParameter("The request has \(parameters.count) parameters; at most \(FlattenedLimits.maxParameters) are accepted.")
        }
        var root = FlattenedNode()
        for (key, value) in parameters {
            let path = key.split(separator: ".", omittingEmptySubsequences: false)
            guard path.count <= FlattenedLimits.maxDepth else {
                throw .invalidParameter("The parameter name `\(key.prefix(64))…` is nested more than \(FlattenedLimits.maxDepth) levels deep.")
            }
            guard !path.contains(where: \.isEmpty) else {
                throw .invalidParameter("The parameter name `\(key.prefix(64))` has an empty part.")
            }
            try root.insert(value, at: path[...], key: key)
        }
        // The parameters themselves are always an object, whatever their names (`0=x` is a parameter named 0).
        return root.objectValue
    }
}

/// One level of a flattened parameter tree, mutated in place so that building it stays linear in the input.
private struct FlattenedNode {
    var leaf: String?
    var children: [Substring: FlattenedNode] = [:]

    mutating func insert(_ value: String, at path: ArraySlice<Substring>, key: String) throws(APIError) {
        guard let head = path.first else {
            guard children.isEmpty else { throw Self.conflict(key) }
            leaf = value
            return
        }
        guard leaf == nil else { throw Self.conflict(key) }
        try children[head, default: FlattenedNode()].insert(value, at: path.dropFirst(), key: key)
    }

    var value: JSONValue {
        if let leaf { return .string(leaf) }
        if let items = arrayItems { return .array(items.map(\.value)) }
        return objectValue
    }

    var objectValue: JSONValue {
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(children.count)
        for (name, child) in children { members[String(name)] = child.value }
        return .object(members)
    }

    // The children in index order when their names are exactly 0..<n in canonical decimal.
    private var arrayItems: [FlattenedNode]? {
        guard !children.isEmpty, children.count <= JSONValue.FlattenedLimits.maxIndex + 1 else { return nil }
        var items = [FlattenedNode?](repeating: nil, count: children.count)
        for (name, child) in children {
            guard let index = Self.canonicalIndex(name), index < items.count else { return nil }
            items[index] = child
        }
        // Names are distinct and each index is below the count, so every slot is filled.
        return items.compactMap { $0 }
    }

    private static func canonicalIndex(_ name: Substring) -> Int? {
        guard !name.isEmpty, name.utf8.count <= 3, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if name.utf8.count > 1 && name.utf8.first == 0x30 { return nil }
        return Int(name)
    }

    private static func conflict(_ key: String) -> APIError {
        .invalidParameter("The parameter `\(key.prefix(64))` is given both as a value and as an object.")
    }
}
