/// What a PATCH does to one field.
enum AdminPatch<T> {
    /// Absent: leave as is.
    case keep
    /// `null`: remove the override.
    case clear
    /// A new value.
    case set(T)

    /// The field's new value given its `current` one.
    func applied(to current: T?) -> T? {
        switch self {
        case .keep: current
        case .clear: nil
        case .set(let value): value
        }
    }
}

extension AdminPatch: Sendable where T: Sendable {}
