import EaselCore
import Foundation
import Testing

/// `ImageRequest` keeps its fields in a shared copy-on-write buffer: copies must still behave as values.
struct ImageRequestStorageTests {
    @Test func aCopyChangesAloneAndEqualityComparesFields() {
        var original = ImageRequest(modelName: "GEM", modelVersion: "3.0", prompt: "a lighthouse")
        original.inputs = [InputImage(source: .url, url: "https://example.com/a.png")]
        var copy = original
        #expect(copy == original)

        copy.prompt = "a harbour"
        copy.inputs.append(InputImage(source: .url, url: "https://example.com/b.png"))
        copy.additionalParameters = ["style": .string("ink")]

        #expect(original.prompt == "a lighthouse")
        #expect(original.inputs.count == 1)
        #expect(original.additionalParameters == nil)
        #expect(copy.prompt == "a harbour")
        #expect(copy.inputs.count == 2)
        #expect(copy != original)

        copy.prompt = "a lighthouse"
        copy.inputs.removeLast()
        copy.additionalParameters = nil
        #expect(copy == original, "equal fields in different buffers are equal requests")
    }

    @Test func encodesAsItsFieldsAndReadsBackEqual() throws {
        var request = ImageRequest(modelName: "GG", modelVersion: "2.5", prompt: "fog")
        request.outputImageCount = 2
        request.size = PixelSize(width: 1024, height: 768)
        request.storeCos = StoreCosParam(bucketName: "b", bucketRegion: "ap-guangzhou", bucketPath: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(request)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["modelName"] as? String == "GG")
        #expect(object["prompt"] as? String == "fog")
        #expect(object["outputImageCount"] as? Int == 2)
        #expect(object["storage"] == nil, "the buffer is not part of the stored form")
        #expect(try JSONDecoder().decode(ImageRequest.self, from: data) == request)
    }
}
