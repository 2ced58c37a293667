extension Duration {
    /// The duration in whole seconds, as the configuration file states durations.
    var wholeSeconds: Int { Int(self / .seconds(1)) }
}
