/// Renders a task as MPS `DescribeAigcImageTask`: WAIT/RUN/FAIL/DONE, ImageUrls and Message.
public enum MPSTaskView {
    /// The MPS status word.
    public static func status(_ status: TaskStatus) -> String {
        switch status {
        case .waiting: "WAIT"
        case .processing: "RUN"
        case .succeeded: "DONE"
        case .failed, .aborted: "FAIL"
        }
    }

    /// The response fields (without RequestId).
    public static func describe(_ task: TaskRecord, fileURL: (TaskOutput) -> String) -> [String: JSONValue] {
        var body: [String: JSONValue] = [
            "Status": .string(status(task.status)),
            "ImageUrls": .array(task.status == .succeeded ? task.outputs.map { .string(fileURL($0)) } : []),
            "Message": .string(task.status == .succeeded ? "ok" : (task.errorMessage ?? "")),
        ]
        if !task.run.isEmpty { body["EaselMetadata"] = .object(task.run.fields.mapValues { .string($0) }) }
        return body
    }
}
