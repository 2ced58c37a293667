// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Easel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "easel", targets: ["easel"]),
        .executable(name: "easel-bench", targets: ["EaselBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        .target(name: "EaselCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "EaselStore", dependencies: [
            "EaselCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EaselBlobs", dependencies: [
            "EaselCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "EaselEngines", dependencies: [
            "EaselCore", "CZlib",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "EaselWorker", dependencies: [
            "EaselCore", "EaselStore", "EaselEngines", "EaselBlobs",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "EaselHTTP", dependencies: [
            "EaselCore", "EaselStore", "EaselEngines", "EaselBlobs", "EaselWorker",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ]),
        .executableTarget(name: "easel", dependencies: [
            "EaselHTTP", "EaselEngines",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmark helpers (Benchmarks/run.sh, BENCHMARKS.md); built by CI in debug, never run by the tests.
        .executableTarget(name: "EaselBench", dependencies: [
            "EaselCore", "EaselStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], path: "Benchmarks/EaselBench"),
        .testTarget(name: "EaselCoreTests", dependencies: [
            "EaselCore",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "EaselEnginesTests", dependencies: [
            "EaselEngines", "EaselHTTP",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "EaselStoreTests", dependencies: [
            "EaselStore",
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "EaselBlobsTests", dependencies: ["EaselBlobs"]),
        .testTarget(name: "EaselWorkerTests", dependencies: ["EaselWorker"]),
        .testTarget(name: "EaselHTTPTests", dependencies: [
            "EaselHTTP",
            .product(name: "PropertyBased", package: "swift-property-based"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
    ]
)
