import ArgumentParser
import EaselCore

/// `--app-id` and `--sub-app-id`: the app a command creates something for.
struct AppOptions: ParsableArguments {
    @Option(help: "The app id.") var appId: Int64
    @Option(help: "The VOD sub-app id (default: the app id).") var subAppId: Int64?

    /// The app as the store keys it; the sub-app defaults to the app.
    var tenant: Tenant { Tenant(appId: appId, subAppId: subAppId ?? appId) }
}
