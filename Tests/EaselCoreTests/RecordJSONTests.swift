import EaselCore
import Foundation
import PropertyBased
import Testing

/// `TaskRecord.storedJSON` against the `Codable` conformance under `JSONEncoder`/`JSONDecoder` (dates as seconds
/// since 1970), which wrote and read every stored record before: the same document, and the same record read back
/// from either, including records written before later fields existed.
@Suite struct RecordJSONTests {
    static func foundationBytes(_ task: TaskRecord) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        // Foundation escaped `/` in stored records; both forms are the same JSON string, so compare without it.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(task))
    }

    static func foundationRecord(_ bytes: [UInt8]) -> TaskRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(TaskRecord.self, from: Data(bytes))
    }

    static func ownRecord(_ bytes: [UInt8]) -> TaskRecord? {
        try? TaskRecord(storedJSON: JSONValue.parse(bytes))
    }

    static func record(text: String, number: Int64, full: Bool, seconds: Double) -> TaskRecord {
        var request = ImageRequest(modelName: "GEM", modelVersion: "3.0", prompt: full ? text : nil)
        var task = TaskRecord(id: TaskID(rawValue: "251007502-AigcImageTask-\(number)"),
                              tenant: Tenant(appId: number, subAppId: number &+ 1), dialect: full ? .mps : .vod,
                              request: request, priority: Int(number % 11), sessionId: full ? text : nil,
                              sessionContext: full ? "ctx/\(text)" : nil, createdAt: Date(timeIntervalSince1970: seconds))
        guard full else { return task }
        request.negativePrompt = text
        request.enhancePrompt = number % 2 == 0
        request.inputs = [InputImage(source: .url, url: "https://example.com/\(text).png", text: text),
                          InputImage(source: .file, fileId: "\(number)", referenceType: "mask"),
                          InputImage(source: .base64, base64: "iVBORw0KGgo=")]
        request.resolution = "2K"
        request.aspectRatio = "16:9"
        request.size = PixelSize(width: 1024, height: Int(number & 0xFFFF))
        request.personGeneration = "AllowAdult"
        request.inputComplianceCheck = true
        request.outputComplianceCheck = false
        request.outputImageCount = 4
        request.outputFormat = "png"
        request.logoAdd = false
        request.seed = number
        request.sceneType = "3d_panorama"
        request.inputRegion = "Oversea"
        request.storageMode = .permanent
        request.mediaName = text
        request.classId = number
        request.expireTime = "2026-12-31T00:00:00Z"
        request.extInfo = #"{"size":"1024x1024"}"#
        request.additionalParameters = ["n": .int(number), "d": .double(seconds / 7), "s": .string(text), "z": .null,
                                        "a": .array([.bool(true), .object(["k": .string(text)])])]
        request.storeCos = StoreCosParam(bucketName: "b-\(number)", bucketRegion: "ap-guangzhou", bucketPath: text)
        request.operatorName = text
        task.request = request
        task.status = .succeeded
        task.progress = 100
        task.startedAt = Date(timeIntervalSince1970: seconds + 0.25)
        task.finishedAt = Date(timeIntervalSince1970: seconds + 1.5)
        task.errorCode = ErrorCode(rawValue: "FailedOperation.\(text)")
        task.errorMessage = text
        task.outputs = [TaskOutput(index: 0, blobKey: "outputs/\(number)/abc/t-0.png", fileId: text, fileType: "png",
                                   contentType: "image/png", width: 1024, height: 768, size: 12_345, md5: "00ff",
                                   storageMode: .temporary, expiresAt: Date(timeIntervalSince1970: seconds * 2),
                                   externalURL: "https://cos.example.com/\(text)")]
        task.attempts = 2
        task.run.engine = "gemini,sandbox"
        task.run.isSandbox = true
        task.run.promptSent = text
        task.run.resumeToken = "channel|\(text)"
        task.run.other = ["later": text]
        task.callbackURL = "https://hooks.example.com/\(text)"
        task.outputSize = PixelSize(width: 2048, height: 1152)
        task.keyId = "AKID\(text)"
        return task
    }

    static let records = PropertyBased.zip(Hostile.text, Gen<Int64>.int64(), Gen.bool,
                                           Gen<Double>.double(in: 0...4e9)).map(Self.record)

    @Test func writesTheDocumentFoundationWrote() async {
        await propertyCheck(count: 1_000, input: Self.records) { task in
            let bytes = task.storedJSON.encodedBytes()
            #expect(bytes == (try? Self.foundationBytes(task)))
            #expect(Self.ownRecord(bytes) == task)
            #expect(Self.foundationRecord(bytes) == task)
        }
    }

    @Test func readsWhatFoundationReadsAndRefusesWhatItRefuses() throws {
        let full = try Self.foundationBytes(Self.record(text: "x", number: 7, full: true, seconds: 1_764_800_000.125))
        guard case .object(let members) = try JSONValue.parse(full) else { throw RecordTestError.notAnObject }
        var documents: [JSONValue] = [.object(members), .null, .array([]), .object([:])]
        for key in members.keys.sorted() {
            var without = members
            without[key] = nil
            documents.append(.object(without))
            without[key] = .null
            documents.append(.object(without))
            without[key] = .string("wrong")
            documents.append(.object(without))
            without[key] = .int(1)
            documents.append(.object(without))
        }
        let request = try #require(members["request"]?.objectValue)
        for key in request.keys.sorted() {
            var changed = members
            changed["request"] = .object(request.filter { $0.key != key })
            documents.append(.object(changed))
            changed["request"] = .object(request.merging([key: .array([])]) { $1 })
            documents.append(.object(changed))
        }
        var legacy = members
        legacy["metadata"] = .object(["engine": .string("sandbox"), "sandbox": .string("true"), "extra": .string("kept")])
        legacy["keyId"] = nil
        legacy["outputSize"] = nil
        legacy["createdAt"] = .int(1_700_000_000)
        documents.append(.object(legacy))
        for document in documents {
            let bytes = document.encodedBytes()
            #expect(Self.ownRecord(bytes) == Self.foundationRecord(bytes), "\(String(decoding: bytes, as: UTF8.self))")
        }
        #expect(Self.ownRecord(JSONValue.object(legacy).encodedBytes())?.run.other == ["extra": "kept"])
    }

    enum RecordTestError: Error { case notAnObject }
}
