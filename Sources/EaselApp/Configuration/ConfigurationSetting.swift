import Configuration

/// A ``Setting`` of any value type, as `EaselSettings.all` lists them: it reads itself into its field and describes
/// itself as a row of the README's table.
public protocol ConfigurationSetting: Sendable {
    /// The row this setting contributes to the README's table.
    var row: SettingRow { get }
    /// Sets the setting's field of `configuration` from `reader`, when one of its sources sets it.
    func read(_ reader: ConfigReader, into configuration: inout EaselConfiguration) throws
}
