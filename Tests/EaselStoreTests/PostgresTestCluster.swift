import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import EaselStore

/// A throwaway PostgreSQL server for this test process, started once on first use.
///
/// `initdb` runs in a fresh temporary directory and `postgres` listens on 127.0.0.1 at a free port, with its unix
/// socket in that directory. PostgreSQL refuses to run as root, so as root both run as the `postgres` system user
/// (created if absent) through `runuser`, on a directory chowned to it. The server is started by a watchdog shell in
/// its own session that polls this process's pid: when the process is gone, however it ended (a crash or a kill
/// included), the watchdog stops the server with `pg_ctl stop -m immediate` and deletes the directory. A normal exit
/// stops it sooner through `atexit`.
///
/// Each test gets its own database, cloned from a template that holds the current schema.
final class PostgresTestCluster: Sendable {
    /// The template every test database is cloned from.
    static let template = "easel_template"

    let bin: String
    let directory: String
    let port: Int

    /// The cluster of this process, started on first use.
    static func shared() throws -> PostgresTestCluster { try started.get() }

    private static let started: Result<PostgresTestCluster, any Error> = Result {
        guard let bin = binDirectory else {
            throw ClusterError("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin or EASEL_PG_BIN "
                               + "(install Debian's postgresql package; under CI they are required)")
        }
        let cluster = try PostgresTestCluster(bin: bin)
        atexit { PostgresTestCluster.stopAtExit() }
        return cluster
    }

    /// Whether the Postgres kind runs here: when the binaries exist, and always under CI, where missing binaries
    /// must fail the Postgres tests loudly rather than skip them.
    static var isAvailable: Bool {
        binDirectory != nil || ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } == true
    }

    /// The newest installed server's `bin` directory (`EASEL_PG_BIN` overrides).
    static let binDirectory: String? = {
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["EASEL_PG_BIN"], !explicit.isEmpty {
            return fileManager.isExecutableFile(atPath: explicit + "/postgres") ? explicit : nil
        }
        let root = "/usr/lib/postgresql"
        let versions = (try? fileManager.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap { name -> (Double, String)? in
            let bin = "\(root)/\(name)/bin"
            guard let version = Double(name), fileManager.isExecutableFile(atPath: bin + "/initdb"),
                  fileManager.isExecutableFile(atPath: bin + "/postgres") else { return nil }
            return (version, bin)
        }.max { $0.0 < $1.0 }?.1
    }()

    private init(bin: String) throws {
        self.bin = bin
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("easel-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        let user = try Self.serverUser()
        if let user { try Self.run("/bin/chown", [user, directory]) }
        try Self.run(bin + "/initdb", ["-D", directory + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                       "--locale=C", "--no-sync"], as: user)
        try startServer(user: user)
        try waitUntilReady()
        try createTemplate()
    }

    /// A URL for `database` over TCP.
    func url(database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A URL for `database` over the unix socket.
    func socketURL(database: String) -> String {
        "postgres://postgres@/\(database)?host=\(directory)&port=\(port)"
    }

    /// Creates a database with a random name, cloned from the migrated template or (`migrated: false`) empty.
    func createDatabase(migrated: Bool = true) throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try psql("CREATE DATABASE \(name)" + (migrated ? " TEMPLATE \(Self.template)" : ""), database: "postgres")
        return name
    }

    /// Runs SQL through psql (synchronously, so that fixtures can stay synchronous).
    @discardableResult
    func psql(_ sql: String, database: String) throws -> String {
        try Self.run(bin + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port),
                                     "-U", "postgres", "-d", database, "-c", sql])
    }

    // The template gets the schema from the same statements `migrate()` applies; a test checks that `migrate()`
    // finds nothing to do on it.
    private func createTemplate() throws {
        try psql("CREATE DATABASE \(Self.template)", database: "postgres")
        let versions = PostgresStore.migrations.map { "INSERT INTO easel_migrations VALUES (\($0.version), 0);" }
        let script = ["BEGIN;", PostgresStore.versionTable + ";"]
            + PostgresStore.migrations.flatMap { $0.statements.map { $0 + ";" } } + versions + ["COMMIT;"]
        try psql(script.joined(separator: "\n"), database: Self.template)
    }

    private func startServer(user: String?) throws {
        let script = """
            dir="$1"; bin="$2"; port="$3"; parent="$4"; user="$5"
            as_server() { if [ -n "$user" ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }
            as_server "$bin/postgres" -D "$dir/data" -k "$dir" -h 127.0.0.1 -p "$port" -c fsync=off \\
                -c synchronous_commit=off -c full_page_writes=off -c max_connections=500 >"$dir/server.log" 2>&1 &
            server=$!
            while [ -d "/proc/$parent" ] && kill -0 "$server" 2>/dev/null; do sleep 0.2; done
            as_server "$bin/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1
            wait "$server" 2>/dev/null
            rm -rf "$dir"
            """
        let process = Process()
        // setsid: a Ctrl-C or a kill of the test's process group must not take the watchdog down with it.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["/bin/sh", "-c", script, "easel-pg-watchdog", directory, bin, String(port),
                             String(getpid()), user ?? ""]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        try process.run()
    }

    private func waitUntilReady() throws {
        let deadline = Date() + 30
        while Date() < deadline {
            if (try? Self.run(bin + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres"])) != nil { return }
            usleep(100_000)
        }
        let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
        throw ClusterError("PostgreSQL did not start on port \(port):\n\(log.suffix(2_000))")
    }

    // Runs at a normal exit: SIGQUIT is PostgreSQL's immediate shutdown; the watchdog then removes the directory.
    private static func stopAtExit() {
        guard case .success(let cluster) = started,
              let pidFile = try? String(contentsOfFile: cluster.directory + "/data/postmaster.pid", encoding: .utf8),
              let pid = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else { return }
        kill(pid, SIGQUIT)
    }

    /// The user the server runs as: nil when not root, else `postgres` (created if the system lacks it).
    private static func serverUser() throws -> String? {
        guard getuid() == 0 else { return nil }
        if getpwnam("postgres") == nil {
            try run("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"])
        }
        return "postgres"
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw ClusterError("could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a program to its end; its output, or an error with that output when it fails.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], as user: String? = nil) throws -> String {
        let process = Process()
        if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", user, "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        // The server user may not be allowed into the caller's working directory.
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ClusterError("\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
        }
        return text
    }
}

/// Why the test cluster could not be used.
struct ClusterError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
