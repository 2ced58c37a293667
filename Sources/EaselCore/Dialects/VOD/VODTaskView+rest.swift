/// The REST proxy's query answer.
extension VODTaskView {
    /// Fields of the `AigcImageTask` object that the REST query also carries at the `Response` level, where
    /// published clients of the resellers' proxies read them.
    public static let restResponseLevelFields = ["Progress", "Output", "ErrCode", "ErrCodeExt", "Message"]

    /// `DescribeTaskDetail` plus the task's progress, output and error beside the `AigcImageTask` object.
    public static func restQuery(_ task: TaskRecord, fileURL: (TaskOutput) -> String) -> [String: JSONValue] {
        var fields = describeTaskDetail(task, fileURL: fileURL)
        if case .object(let inner)? = fields["AigcImageTask"] {
            for key in restResponseLevelFields { fields[key] = inner[key] }
        }
        return fields
    }
}
