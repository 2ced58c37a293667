import EaselCore
import Foundation

/// JSON coding of records kept in BLOB columns; dates as fractional unix seconds.
enum RecordCoding {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(value)
    }

    /// A task record, written by ``TaskRecord/storedJSON``: the document `encode` would write, with `/` unescaped.
    static func encode(_ task: TaskRecord) -> Data {
        Data(task.storedJSON.encodedBytes())
    }

    /// A task record, read as `decode` would read it.
    static func decode(_ type: TaskRecord.Type, from data: Data) throws -> TaskRecord {
        try TaskRecord(storedJSON: JSONValue.parse(data))
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: data)
    }
}
