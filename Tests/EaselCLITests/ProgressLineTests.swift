import Testing
@testable import easel

@Suite struct ProgressLineTests {
    @Test func barFillsInProportionToProgress() {
        let line = ProgressLine.bar(TaskProgress(phase: .processing, queuePosition: nil, progress: 50),
                                    elapsed: .milliseconds(3_250), barWidth: 20)
        #expect(line == "[##########..........]  50%  processing  3.2s")
    }

    @Test func waitingShowsTheQueuePosition() {
        let ahead = ProgressLine.bar(TaskProgress(phase: .waiting, queuePosition: 3, progress: 0), elapsed: .zero, barWidth: 4)
        #expect(ahead == "[....]   0%  waiting (3 ahead in queue)  0.0s")
        let next = ProgressLine.bar(TaskProgress(phase: .waiting, queuePosition: 0, progress: 0), elapsed: .zero, barWidth: 4)
        #expect(next.contains("next in queue"))
    }

    @Test func progressOutsideTheRangeIsClamped() {
        let over = ProgressLine.bar(TaskProgress(phase: .completed, queuePosition: nil, progress: 140), elapsed: .zero, barWidth: 4)
        #expect(over.hasPrefix("[####] 100%"))
        let under = ProgressLine.bar(TaskProgress(phase: .processing, queuePosition: nil, progress: -5), elapsed: .zero, barWidth: 4)
        #expect(under.hasPrefix("[....]   0%"))
    }

    @Test func theLineNeverReachesTheLastColumn() {
        let line = ProgressLine.bar(TaskProgress(phase: .waiting, queuePosition: 12, progress: 0), elapsed: .seconds(5), columns: 30)
        #expect(line.count == 29)
    }

    @Test(arguments: [
        (Duration.milliseconds(400), "0.4s"), (.seconds(12), "12.0s"), (.milliseconds(59_990), "59.9s"),
        (.seconds(65), "1m05s"), (.seconds(3_720), "1h02m"),
    ])
    func elapsedTimeIsShort(elapsed: Duration, text: String) {
        #expect(ProgressLine.elapsedText(elapsed) == text)
    }

    @Test func plainLinesNameTheTask() {
        let line = ProgressLine.plain(taskId: "1-AigcImageTask-abct", TaskProgress(phase: .processing, queuePosition: nil, progress: 40),
                                      elapsed: .seconds(2))
        #expect(line == "1-AigcImageTask-abct  processing  40%  2.0s")
    }

    @Test func milestonesChangeWithThePhaseAndQueuePositionOnly() {
        let first = TaskProgress(phase: .processing, queuePosition: nil, progress: 10)
        #expect(first.milestone == TaskProgress(phase: .processing, queuePosition: nil, progress: 90).milestone)
        #expect(first.milestone != TaskProgress(phase: .completed, queuePosition: nil, progress: 100).milestone)
        #expect(TaskProgress(phase: .waiting, queuePosition: 2, progress: 0).milestone
            != TaskProgress(phase: .waiting, queuePosition: 1, progress: 0).milestone)
    }
}
