/// The API shape a task was submitted in; it decides the TaskId format and result retention.
public enum Dialect: String, Codable, Sendable, CaseIterable {
    /// VOD API 3.0, version 2018-07-17.
    case vod
    /// MPS API 3.0, version 2019-06-12.
    case mps
    /// The resellers' `/tencent-vod/v1` REST proxy.
    case rest
    /// OpenAI `/v1/images/generations`.
    case openai
}
