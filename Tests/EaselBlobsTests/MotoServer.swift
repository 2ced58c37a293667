import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A moto S3 server (`moto_server`, from PyPI `moto[server]`) on 127.0.0.1 and a free port, for one test.
struct MotoServer: Sendable {
    /// The server's base URL, e.g. `http://127.0.0.1:40123`.
    let endpoint: URL

    /// `$MOTO_SERVER`, else `<repo>/.venv/bin/moto_server`, when executable.
    static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["MOTO_SERVER"], !path.isEmpty,
           FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = repo.appendingPathComponent(".venv/bin/moto_server").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Starts a server and an `HTTPClient`, runs `body`, then always stops the server and shuts the client down,
    /// whether `body` returned or threw.
    static func with<T>(_ body: (MotoServer, HTTPClient) async throws -> T) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var process: Process?
        let outcome: Result<T, any Error>
        do {
            let (launched, server) = try await launch(http)
            process = launched
            outcome = .success(try await body(server, http))
        } catch {
            outcome = .failure(error)
        }
        // Close pooled connections before their server goes away; the server is stopped whatever happened.
        let shutdown: Result<Void, any Error>
        do {
            try await http.shutdown()
            shutdown = .success(())
        } catch {
            shutdown = .failure(error)
        }
        if let process { await stop(process) }
        try shutdown.get()
        return try outcome.get()
    }

    /// One plain HTTP exchange, for calls the S3 client does not make (IAM, moto's control API, anonymous GETs).
    static func fetch(_ url: String, http: HTTPClient, method: HTTPMethod = .GET, headers: [(String, String)] = [],
                      body: [UInt8]? = nil) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return (Int(response.status.code), Array(bytes.readableBytesView))
    }

    private struct LaunchFailed: Error, CustomStringConvertible {
        let description: String
    }

    // A port found free can be taken before moto binds it; a few attempts make that race harmless.
    private static func launch(_ http: HTTPClient) async throws -> (Process, MotoServer) {
        guard let executable else { throw LaunchFailed(description: "moto_server not found") }
        for _ in 0..<3 {
            guard let port = freePort(), let endpoint = URL(string: "http://127.0.0.1:\(port)") else { continue }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try await spawn(process)
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning, Date() < deadline {
                if (try? await fetch("\(endpoint.absoluteString)/", http: http)) != nil {
                    return (process, MotoServer(endpoint: endpoint))
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            await stop(process)
        }
        throw LaunchFailed(description: "moto_server did not start")
    }

    // A child inherits the signal mask of the thread that spawns it, and the test runner's threads block SIGTERM
    // and SIGINT, which would leave moto deaf to terminate(). So spawn from a fresh thread with nothing blocked.
    private static func spawn(_ process: Process) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                var nothing = sigset_t()
                sigemptyset(&nothing)
                pthread_sigmask(SIG_SETMASK, &nothing, nil)
                do {
                    try process.run()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    private static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago: bind to port 0 and read what the kernel chose.
    private static func freePort() -> Int? {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return nil }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
        }
        guard bound == 0 else { return nil }
        var actualLength = length
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &actualLength) }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
