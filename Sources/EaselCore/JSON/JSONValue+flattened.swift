/// Builds nested values from the flattened parameters that GET requests and signature v1 send
/// (`FileInfos.0.Url=…`, `OutputConfig.AspectRatio=16:9`): every value arrives as a string.
extension JSONValue {
    /// Nests `A.0.B`-style keys into objects and arrays. Numeric path segments become array indices.
    public static func unflatten(_ parameters: [(key: String, value: String)]) -> JSONValue {
        var root = JSONValue.object([:])
        for (key, value) in parameters {
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            root.insert(.string(value), at: path[...])
        }
        return root.arraysFromNumericObjects()
    }

    private mutating func insert(_ value: JSONValue, at path: ArraySlice<String>) {
        guard let head = path.first else {
            self = value
            return
        }
        var members = objectValue ?? [:]
        var child = members[head] ?? .object([:])
        child.insert(value, at: path.dropFirst())
        members[head] = child
        self = .object(members)
    }

    // Objects whose keys are all 0..<n are arrays that arrived flattened.
    private func arraysFromNumericObjects() -> JSONValue {
        guard case .object(let members) = self else { return self }
        let converted = members.mapValues { $0.arraysFromNumericObjects() }
        let indices = converted.keys.compactMap { Int($0) }
        if !converted.isEmpty, indices.count == converted.count, Set(indices) == Set(0..<converted.count) {
            return .array((0..<converted.count).map { converted[String($0)]! })
        }
        return .object(converted)
    }
}
