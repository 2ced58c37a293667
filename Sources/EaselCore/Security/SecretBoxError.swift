/// A sealed secret that does not open: damaged, or sealed under another master key, which is what happens when nodes
/// sharing a store (or a restored database) do not share `security.master_key`.
public struct SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Creates the error.
    public init() {}

    public var description: String {
        "a stored secret does not open with this master key: every node sharing a store needs the same "
            + "security.master_key (EASEL_MASTER_KEY), or the data dir's master.key it was created with"
    }
}
