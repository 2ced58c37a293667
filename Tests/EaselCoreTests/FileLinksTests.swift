import Foundation
import Testing
@testable import EaselCore

/// One way to build a download URL, for the server and the CLI alike.
@Suite struct FileLinksTests {
    let signer = URLSigner(keyBytes: Array(repeating: 7, count: 32))

    func output(expiresAt: Date?, externalURL: String? = nil) -> TaskOutput {
        TaskOutput(index: 0, blobKey: "outputs/t1/0.png", fileId: nil, fileType: "png", contentType: "image/png", width: 8,
                   height: 8, size: 10, md5: "00", storageMode: .temporary, expiresAt: expiresAt, externalURL: externalURL)
    }

    @Test func aStoredOutputGetsASignedURLThatVerifies() throws {
        let links = FileLinks(signer: signer, publicBaseURL: "https://images.example.com/")
        let expires = Date(timeIntervalSince1970: 2_000_000_000)
        let url = try #require(URLComponents(string: links.url(for: output(expiresAt: expires))))
        #expect(url.host == "images.example.com" && url.path == "/files/outputs/t1/0.png")
        let items = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["expires"] == "2000000000")
        let signature = try #require(items["sig"])
        #expect(signer.verify(path: "/files/outputs/t1/0.png", expires: 2_000_000_000, signature: signature, now: 1_999_999_000))
        #expect(!signer.verify(path: "/files/outputs/t1/1.png", expires: 2_000_000_000, signature: signature, now: 1_999_999_000))
    }

    @Test func aDeliveredOutputKeepsItsBucketURL() {
        let links = FileLinks(signer: signer, publicBaseURL: "http://127.0.0.1:8080")
        #expect(links.url(for: output(expiresAt: nil, externalURL: "https://bucket.example/x.png")) == "https://bucket.example/x.png")
    }
}
