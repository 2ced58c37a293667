#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows a waiting task on stdout: a bar redrawn in place with `\r` on a terminal, a plain line per change of phase
/// or queue position otherwise, or nothing (`--json`, where stdout carries only the final object).
struct ProgressDisplay {
    /// How to show progress.
    enum Style: Sendable {
        case bar, lines, silent
    }

    let style: Style
    let taskId: String
    private var lastMilestone: String?
    private var drewBar = false

    /// The style for stdout: a bar when it is a terminal.
    static func style(json: Bool) -> Style {
        json ? .silent : (isatty(STDOUT_FILENO) == 1 ? .bar : .lines)
    }

    init(style: Style, taskId: String) {
        self.style = style
        self.taskId = taskId
    }

    /// Shows `state` after `elapsed`.
    mutating func show(_ state: TaskProgress, elapsed: Duration) {
        switch style {
        case .bar:
            // Clear to the end of the line: the previous text may have been longer.
            write("\r" + ProgressLine.bar(state, elapsed: elapsed, columns: Self.columns()) + "\u{1B}[K")
            drewBar = true
        case .lines:
            guard state.milestone != lastMilestone else { return }
            lastMilestone = state.milestone
            write(ProgressLine.plain(taskId: taskId, state, elapsed: elapsed) + "\n")
        case .silent:
            break
        }
    }

    /// Ends the bar's line, so what follows starts on a fresh one.
    mutating func finish() {
        if drewBar { write("\n") }
        drewBar = false
    }

    private func write(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }

    // The terminal's width, so the line never wraps; 80 when it cannot be read.
    private static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
