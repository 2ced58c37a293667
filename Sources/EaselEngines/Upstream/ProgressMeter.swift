/// Turns the pending answers of a job into task progress that only ever goes up: queued is 10, each running poll
/// adds 10 (from 20, up to 90), a percentage is taken as given (below 100); a value is reported only when it is
/// higher than the last one.
struct ProgressMeter: Sendable {
    private var value: Int
    private var reported: Int

    /// Starts at `initial` (nil: nothing reported yet, so even 0 is news).
    init(initial: Int?) {
        value = initial ?? -1
        reported = initial ?? -1
    }

    /// The progress after `step`, or nil when it is no higher than what was last reported.
    mutating func advance(_ step: PollAnswer.Progress) -> Int? {
        switch step {
        case .queued: value = max(value, 10)
        case .running: value = max(value, min(90, max(value + 10, 20)))
        case .percent(let percent): value = max(value, min(percent, 99))
        case .unknown: break
        }
        guard value > reported else { return nil }
        reported = value
        return value
    }
}
