import Foundation

extension TaskRecord {
    /// The record as stored: member for member what its `Codable` conformance writes with `JSONEncoder` (dates as
    /// seconds since 1970), built directly, because going through `JSONEncoder` was 8 % of a create and the decoding
    /// 4 % of every claimed task under perf. `RecordJSONTests` holds both to the same bytes and values.
    public var storedJSON: JSONValue {
        var record = RecordMembers()
        record.set("id", id.rawValue)
        record.set("tenant", tenant.storedJSON)
        record.set("dialect", dialect.rawValue)
        record.set("request", request.storedJSON)
        record.set("priority", priority)
        record.set("sessionId", sessionId)
        record.set("sessionContext", sessionContext)
        record.set("status", status.rawValue)
        record.set("progress", progress)
        record.set("createdAt", createdAt)
        record.set("startedAt", startedAt)
        record.set("finishedAt", finishedAt)
        record.set("errorCode", errorCode?.rawValue)
        record.set("errorMessage", errorMessage)
        record.set("outputs", .array(outputs.map(\.storedJSON)))
        record.set("attempts", attempts)
        record.set("metadata", .object(run.fields.mapValues(JSONValue.string)))
        record.set("callbackURL", callbackURL)
        if let outputSize { record.set("outputSize", outputSize.storedJSON) }
        record.set("keyId", keyId)
        return record.value
    }

    /// Reads a stored record, as its `Codable` conformance reads it with `JSONDecoder`.
    public init(storedJSON: JSONValue) throws {
        let record = try RecordFields(storedJSON, path: "task")
        self.init(id: TaskID(rawValue: try record.string("id")),
                  tenant: try Tenant(storedJSON: record.object("tenant")),
                  dialect: try record.raw("dialect", as: Dialect.self),
                  request: try ImageRequest(storedJSON: record.object("request")),
                  priority: try record.int("priority"),
                  sessionId: try record.optionalString("sessionId"),
                  sessionContext: try record.optionalString("sessionContext"),
                  createdAt: try record.date("createdAt"),
                  callbackURL: try record.optionalString("callbackURL"),
                  keyId: try record.optionalString("keyId"))
        status = try record.raw("status", as: TaskStatus.self)
        progress = try record.int("progress")
        startedAt = try record.optionalDate("startedAt")
        finishedAt = try record.optionalDate("finishedAt")
        errorCode = try record.optionalString("errorCode").map(ErrorCode.init(rawValue:))
        errorMessage = try record.optionalString("errorMessage")
        outputs = try record.array("outputs").enumerated().map { index, output in
            try TaskOutput(storedJSON: RecordFields(output, path: "task.outputs.\(index)"))
        }
        attempts = try record.int("attempts")
        let metadata = try record.object("metadata")
        var fields: [String: String] = [:]
        for key in metadata.members.keys {
            fields[key] = try metadata.string(key)
        }
        run = TaskRunInfo(fields: fields)
        outputSize = try record.optionalObject("outputSize").map { size throws(RecordFields.Mismatch) in
            try PixelSize(storedJSON: size)
        }
    }
}

extension Tenant {
    var storedJSON: JSONValue {
        .object(["appId": .int(appId), "subAppId": .int(subAppId)])
    }

    init(storedJSON tenant: RecordFields) throws(RecordFields.Mismatch) {
        self.init(appId: try tenant.int64("appId"), subAppId: try tenant.int64("subAppId"))
    }
}

extension PixelSize {
    var storedJSON: JSONValue {
        .object(["width": .int(Int64(width)), "height": .int(Int64(height))])
    }

    init(storedJSON size: RecordFields) throws(RecordFields.Mismatch) {
        self.init(width: try size.int("width"), height: try size.int("height"))
    }
}

extension TaskOutput {
    var storedJSON: JSONValue {
        var output = RecordMembers()
        output.set("index", index)
        output.set("blobKey", blobKey)
        output.set("fileId", fileId)
        output.set("fileType", fileType)
        output.set("contentType", contentType)
        output.set("width", width)
        output.set("height", height)
        output.set("size", size)
        output.set("md5", md5)
        output.set("storageMode", storageMode.rawValue)
        output.set("expiresAt", expiresAt)
        output.set("externalURL", externalURL)
        return output.value
    }

    init(storedJSON output: RecordFields) throws(RecordFields.Mismatch) {
        self.init(index: try output.int("index"), blobKey: try output.string("blobKey"),
                  fileId: try output.optionalString("fileId"), fileType: try output.string("fileType"),
                  contentType: try output.string("contentType"), width: try output.int("width"),
                  height: try output.int("height"), size: try output.int("size"), md5: try output.string("md5"),
                  storageMode: try output.raw("storageMode", as: StorageMode.self),
                  expiresAt: try output.optionalDate("expiresAt"), externalURL: try output.optionalString("externalURL"))
    }
}
