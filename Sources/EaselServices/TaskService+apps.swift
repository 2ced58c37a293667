extension TaskService {
    /// The apps' settings the service and its workers use.
    public var appSettings: AppSettingsDirectory { settings.apps }
}
