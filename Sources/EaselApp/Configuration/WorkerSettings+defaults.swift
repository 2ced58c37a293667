import EaselWorker

extension WorkerSettings {
    /// The worker's own defaults, which the configuration's fields restate in the units of the file.
    static let defaults = WorkerSettings()
}
