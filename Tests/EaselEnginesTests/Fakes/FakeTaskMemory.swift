/// What every fake that plays one upstream task remembers: its script, where it listens, the creates and polls it
/// received, every way a request differed from the vendor's wire format, the credentials it refused, and how far its
/// task has got.
struct FakeTaskMemory<Script: FakeTaskScript>: Sendable {
    let script: Script
    /// `http://127.0.0.1:<port>` once the server listens (empty before).
    var baseURL = ""
    /// Creates received.
    var submits = 0
    /// Paths polled, in order.
    var polls: [String] = []
    /// Path, header and field mismatches found (empty when every request was exact).
    var problems: [String] = []
    /// Why credentials were refused: signatures or tokens that did not verify (empty when all did).
    var refusals: [String] = []
    private var progress: FakeTaskProgress

    init(_ script: Script) {
        self.script = script
        progress = FakeTaskProgress(script.play)
    }

    /// Advances the task by one poll; a poll before any create is a problem unless the task already existed.
    mutating func advance() -> FakeTaskProgress.Step {
        if submits == 0, !script.play.existingTask { problems.append("polled before any create") }
        return progress.next()
    }
}
