import ArgumentParser
import EaselCore

/// One task named by its TaskId, on a server or in the local installation.
struct OneTaskOptions: ParsableArguments {
    @OptionGroup var installation: InstallationOptions
    @Argument(help: "The TaskId.") var taskId: String

    /// Prints, as one JSON line, what `server` answers for the task's admin API path (`/tasks/<id>`), or what `local`
    /// makes of the task read from the local store.
    func printAnswer(server: (AdminAPI, String) async throws -> JSONValue,
                     local: (LocalInstallation, TaskRecord) async throws -> JSONValue) async throws {
        let answer = try await installation.run { api in
            try await server(api, "/tasks/\(Tasks.pathSegment(taskId))")
        } local: { installation in
            try await local(installation, try await installation.task(taskId))
        }
        Printer.line(answer)
    }
}
