import ArgumentParser

/// `--app-id` (`--app`) and `--sub-app-id`: keep only one app's (or sub-app's) records.
struct AppFilterOptions: ParsableArguments {
    @Option(name: [.customLong("app-id"), .customLong("app")], help: "Only this app (--app for short).") var appId: Int64?
    @Option(help: "Only this sub-app.") var subAppId: Int64?

    /// The filter as admin API query items (`app_id`, `sub_app_id`).
    var query: [(String, String)] {
        [("app_id", appId), ("sub_app_id", subAppId)].compactMap { name, value in value.map { (name, String($0)) } }
    }
}
