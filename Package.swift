// swift-tools-version:6.0
import CompilerPluginSupport
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
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/swiftlang/swift-syntax.git", from: "603.0.1"),
    ],
    targets: [
        // `@MemberwiseInit`, the one macro: public value types get their memberwise initializer written for them.
        // The expansion is a library of its own so its tests need not depend on the macro target (a test product
        // with a macro target in it is built for the host, and then cannot import the `easel` executable's module).
        .target(name: "EaselMacroExpansions", dependencies: [
            .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
        ]),
        .macro(name: "EaselMacroPlugin", dependencies: [
            "EaselMacroExpansions",
            .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
        ]),
        .target(name: "EaselMacros", dependencies: ["EaselMacroPlugin"]),
        .target(name: "EaselCore", dependencies: [
            "EaselMacros",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "EaselStore", dependencies: [
            "EaselCore", "EaselMacros",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EaselBlobs", dependencies: [
            "EaselCore", "EaselMacros",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "EaselEngines", dependencies: [
            "EaselCore", "EaselMacros", "CZlib",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The use cases every dialect shares: submit, describe, list, abort, wait; apps' settings; credentials.
        .target(name: "EaselServices", dependencies: [
            "EaselCore", "EaselMacros", "EaselStore", "EaselEngines", "EaselBlobs",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "EaselWorker", dependencies: [
            "EaselCore", "EaselMacros", "EaselStore", "EaselEngines", "EaselBlobs", "EaselServices",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "EaselHTTP", dependencies: [
            "EaselCore", "EaselMacros", "EaselStore", "EaselEngines", "EaselBlobs", "EaselServices",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        // The composition root: configuration, the installation, and `buildApplication` wiring every part.
        .target(name: "EaselApp", dependencies: [
            "EaselCore", "EaselStore", "EaselEngines", "EaselBlobs", "EaselServices", "EaselWorker", "EaselHTTP",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Configuration", package: "swift-configuration"),
        ]),
        .executableTarget(name: "easel", dependencies: [
            "EaselApp", "EaselServices", "EaselStore", "EaselEngines",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // Benchmark helpers (Benchmarks/run.sh, BENCHMARKS.md); built by CI in debug, never run by the tests.
        .executableTarget(name: "EaselBench", dependencies: [
            "EaselCore", "EaselStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], path: "Benchmarks/EaselBench"),
        // Helpers several test targets share (a gate, a bounded wait); only test targets depend on it.
        .target(name: "EaselTestSupport", path: "Tests/EaselTestSupport"),
        .testTarget(name: "EaselCoreTests", dependencies: [
            "EaselCore",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "EaselEnginesTests", dependencies: [
            "EaselEngines", "EaselHTTP", "EaselApp", "EaselServices", "EaselTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "EaselStoreTests", dependencies: [
            "EaselStore",
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "EaselBlobsTests", dependencies: ["EaselBlobs"]),
        .testTarget(name: "EaselCLITests", dependencies: ["easel"]),
        .testTarget(name: "EaselMacroTests", dependencies: [
            "EaselMacroExpansions",
            .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
            .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
        ]),
        .testTarget(name: "EaselWorkerTests", dependencies: ["EaselWorker", "EaselServices", "EaselTestSupport"]),
        .testTarget(name: "EaselHTTPTests", dependencies: [
            "EaselHTTP", "EaselApp", "EaselServices", "EaselTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
    ]
)
