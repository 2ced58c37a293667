import Foundation
import Testing
@testable import easel

@Suite struct OptionTests {
    @Test func urlAndDataDirectoryExcludeEachOther() throws {
        let options = try InstallationOptions.parse(["--url", "http://127.0.0.1:1", "--admin-key", "k", "--data-dir", "/tmp/x"])
        #expect(throws: CLIError.self) { try options.admin(environment: [:]) }
    }

    @Test func theEnvironmentURLCountsOnlyWithoutADataDirectory() throws {
        let options = try InstallationOptions.parse([])
        let environment = ["EASEL_URL": "http://127.0.0.1:9/", "EASEL_ADMIN_KEY": "admin"]
        let target = try options.admin(environment: environment)
        #expect(target?.url == "http://127.0.0.1:9")
        #expect(target?.key == "admin")
        #expect(try InstallationOptions.parse(["--data-dir", "/tmp/x"]).admin(environment: environment) == nil)
        #expect(try options.admin(environment: [:]) == nil)
        let withDataDirectory = environment.merging(["EASEL_DATA_DIR": "/tmp/x"]) { $1 }
        #expect(try options.admin(environment: withDataDirectory) == nil)
    }

    @Test func aServerNeedsTheAdminKey() throws {
        let options = try InstallationOptions.parse(["--url", "http://127.0.0.1:1"])
        do {
            _ = try options.admin(environment: [:])
            Issue.record("no error without an admin key")
        } catch {
            #expect(error.exitCode == 2)
            #expect(error.message.contains("EASEL_ADMIN_KEY"))
        }
    }

    @Test(arguments: ["127.0.0.1:8080", "ftp://host", "http://", "http://host?x=1", "not a url"])
    func onlyHTTPBaseURLsAreAccepted(url: String) {
        #expect(throws: CLIError.self) { try HTTPSession.validatedBase(url) }
    }

    @Test func baseURLsLoseTheirTrailingSlash() throws {
        #expect(try HTTPSession.validatedBase("https://easel.example.com/prefix/") == "https://easel.example.com/prefix")
    }

    @Test func queryValuesArePercentEncoded() {
        #expect(HTTPSession.url("http://h/x", query: [("status", "waiting,failed"), ("model", "GEM 3")])
            == "http://h/x?status=waiting%2Cfailed&model=GEM%203")
    }

    @Test func referencesAreURLsFileIdsOrReadableImages() throws {
        #expect(try ReferenceImage.parse("https://example.com/a.png") == .url("https://example.com/a.png"))
        #expect(try ReferenceImage.parse("fileid:123") == .fileId("123"))
        #expect(throws: CLIError.self) { try ReferenceImage.parse("fileid:12x") }
        #expect(throws: CLIError.self) { try ReferenceImage.parse("/nonexistent/picture.png") }
        let notAnImage = FileManager.default.temporaryDirectory.appendingPathComponent("easel-cli-\(UUID().uuidString).txt")
        try Data("hello".utf8).write(to: notAnImage)
        defer { try? FileManager.default.removeItem(at: notAnImage) }
        #expect(throws: CLIError.self) { try ReferenceImage.parse(notAnImage.path) }
    }

    @Test func imageExtensionsFollowTheServersFileType() {
        #expect(ImageSaver.fileExtension(fileType: "PNG", contentType: "image/jpeg") == "png")
        #expect(ImageSaver.fileExtension(fileType: "", contentType: "image/jpeg; charset=binary") == "jpeg")
        #expect(ImageSaver.fileExtension(fileType: "../x", contentType: nil) == "bin")
        #expect(ImageSaver.safeName("1-AigcImageTask-ab/../t") == "1-AigcImageTask-ab____t")
    }
}
