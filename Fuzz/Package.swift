// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Basalt's decoders of untrusted bytes. A package of its own keeps
// `-sanitize=fuzzer` away from the main package's executables and tests: every
// executable linked with libFuzzer must define `LLVMFuzzerTestOneInput`.
// Build and run them with the Makefile next to this file.
let package = Package(
    name: "BasaltFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Basalt", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Reaches every codec's decoder through Basalt, whose system-library targets link
        // liblz4, zlib, libzstd and libsnappy here too. Those libraries are not built with
        // coverage or ASan: the fuzzer is guided by, and checks, the Swift code around them.
        .executableTarget(
            name: "FuzzRecordBatch",
            dependencies: [.product(name: "Basalt", package: "Basalt")]
        ),
        .executableTarget(
            name: "FuzzKafkaRequest",
            dependencies: [
                .product(name: "BasaltKafka", package: "Basalt"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzSegmentRecovery",
            dependencies: [.product(name: "Basalt", package: "Basalt")]
        ),
        // Opens a small store after one of its files (topic, cursor, checkpoint,
        // snapshot, index, segment) was replaced by the input.
        .executableTarget(
            name: "FuzzStoreOpen",
            dependencies: [.product(name: "Basalt", package: "Basalt")]
        ),
        // Message sets of magic 0 and 1 (Produce v0–2): parse, convert to a record batch
        // v2, down-convert back (LegacyMessageSet).
        .executableTarget(
            name: "FuzzLegacyMessageSet",
            dependencies: [.product(name: "Basalt", package: "Basalt")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
