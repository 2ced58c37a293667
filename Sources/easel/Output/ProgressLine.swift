/// The text of `easel submit --wait`'s status display: a bar redrawn in place on a terminal, or one plain line per
/// change when stdout is a file or a pipe. Pure, so the layout is tested without a terminal.
enum ProgressLine {
    /// `[##########..........]  50%  processing  3.2s`, at most `columns - 1` characters so it never wraps (a
    /// wrapped line cannot be redrawn with `\r`).
    static func bar(_ state: TaskProgress, elapsed: Duration, columns: Int = 80, barWidth: Int = 24) -> String {
        let percent = max(0, min(100, state.progress))
        let filled = barWidth * percent / 100
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
        let text = "\(bar) \(pad(percent))%  \(state.label)  \(elapsedText(elapsed))"
        return String(text.prefix(max(1, columns - 1)))
    }

    /// `<TaskId>  processing  40%  3.2s`: one line for logs.
    static func plain(taskId: String, _ state: TaskProgress, elapsed: Duration) -> String {
        "\(taskId)  \(state.label)  \(max(0, min(100, state.progress)))%  \(elapsedText(elapsed))"
    }

    /// `0.4s`, `12.0s`, `1m05s`, `1h02m`.
    static func elapsedText(_ elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let tenths = max(0, seconds * 10 + attoseconds / 100_000_000_000_000_000)
        if tenths < 600 { return "\(tenths / 10).\(tenths % 10)s" }
        let whole = tenths / 10
        if whole < 3600 { return "\(whole / 60)m\(twoDigits(whole % 60))s" }
        return "\(whole / 3600)h\(twoDigits(whole % 3600 / 60))m"
    }

    private static func pad(_ percent: Int) -> String {
        let text = String(percent)
        return String(repeating: " ", count: 3 - text.count) + text
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }
}
