/// A failure the command reports as one line on stderr with its own exit code: 1 when the work itself failed (a
/// task ended with an error, the server refused the request), 2 for usage and connection problems.
struct CLIError: Error, CustomStringConvertible {
    /// The line printed on stderr.
    let message: String
    /// The process exit code.
    let exitCode: Int32

    var description: String { message }

    /// A bad command line or option combination (exit 2).
    static func usage(_ message: String) -> CLIError { CLIError(message: message, exitCode: 2) }

    /// The server could not be reached or answered something that is not Easel (exit 2).
    static func connection(_ message: String) -> CLIError { CLIError(message: message, exitCode: 2) }

    /// The server or the store refused the operation, or a task failed (exit 1).
    static func failed(_ message: String) -> CLIError { CLIError(message: message, exitCode: 1) }
}
