// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Basalt",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Basalt", targets: ["Basalt"]),
        .library(name: "BasaltKafka", targets: ["BasaltKafka"]),
        .library(name: "BasaltInspect", targets: ["BasaltInspect"]),
        .executable(name: "basalt-demo", targets: ["basalt-demo"]),
        .executable(name: "basalt-inspect", targets: ["basalt-inspect"]),
        .library(name: "BasaltBroker", targets: ["BasaltBroker"]),
        .executable(name: "basalt-broker", targets: ["basalt-broker"]),
        .library(name: "BasaltEtcd", targets: ["BasaltEtcd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // SCRAM's hashes, HMAC and PBKDF2, and the client certificate's subject, from
        // published products rather than swift-nio-ssl's internal BoringSSL module.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        .systemLibrary(
            name: "CSnappy",
            pkgConfig: "snappy",
            providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]
        ),
        .target(name: "CCRC32C"),
        .target(
            name: "Basalt",
            dependencies: ["CLZ4", "CZlib", "CZstd", "CSnappy", "CCRC32C"]
        ),
        .target(
            name: "BasaltKafka",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(
            name: "basalt-demo",
            dependencies: ["Basalt"]
        ),
        .target(
            name: "BasaltInspect",
            dependencies: ["Basalt"]
        ),
        .executableTarget(
            name: "basalt-inspect",
            dependencies: ["BasaltInspect", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Open time after an unclean shutdown; `swift run -c release RecoveryBench`.
        .executableTarget(
            name: "RecoveryBench",
            dependencies: ["Basalt"],
            path: "Benchmarks/RecoveryBench"
        ),
        // Log cleaner throughput against raw read+write; `swift run -c release CompactionBench`.
        .executableTarget(
            name: "CompactionBench",
            dependencies: ["Basalt"],
            path: "Benchmarks/CompactionBench"
        ),
        // Test doubles that tests import: a fault-injecting FileIO.
        .target(
            name: "BasaltTesting",
            dependencies: ["Basalt"],
            path: "Tests/BasaltTesting"
        ),
        // A child process for the crash test: appends with `everyAppend` and reports
        // each acknowledged offset on stdout until it is killed.
        .executableTarget(
            name: "BasaltCrashWriter",
            dependencies: ["Basalt"],
            path: "Tests/BasaltCrashWriter"
        ),
        .testTarget(
            name: "BasaltTests",
            dependencies: ["Basalt", "BasaltTesting", "BasaltCrashWriter"]
        ),
        .testTarget(
            name: "BasaltInspectTests",
            dependencies: ["BasaltInspect", "Basalt", "basalt-inspect"]
        ),
        .testTarget(
            name: "BasaltKafkaTests",
            dependencies: ["BasaltKafka", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // The Kafka-protocol broker: SwiftNIO server, request handlers, group coordinator.
        .target(
            name: "BasaltBroker",
            dependencies: [
                "Basalt", "BasaltKafka", "BasaltEtcd",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .executableTarget(
            name: "basalt-broker",
            dependencies: [
                "BasaltBroker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "BasaltBrokerTests",
            dependencies: [
                "BasaltBroker", "Basalt", "BasaltKafka", "BasaltEtcd", "BasaltTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // etcd v3 client over the JSON gateway (cluster coordination; docs/replication.md).
        .target(
            name: "BasaltEtcd",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "BasaltEtcdTests",
            dependencies: [
                "BasaltEtcd",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
