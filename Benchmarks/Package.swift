// swift-tools-version: 6.1
// Basalt's benchmarks: a package of its own, so the benchmark harness and its
// dependencies never reach the library's build. Run with `./run.sh` (or
// `swift package benchmark` here); see docs/benchmarks.md.
import PackageDescription

// The Basalt package under test: the enclosing checkout, or another one named by
// BASALT_PACKAGE_PATH (a baseline commit checked out elsewhere, for A/B runs).
let basaltPath = Context.environment["BASALT_PACKAGE_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? ".."

// SwiftPM names a path dependency after its directory, so derive that identity
// instead of hard-coding the checkout's folder name.
let basalt: String = {
    let absolute = basaltPath.hasPrefix("/") ? basaltPath : Context.packageDirectory + "/" + basaltPath
    var components: [Substring] = []
    for component in absolute.split(separator: "/") {
        switch component {
        case ".": continue
        case "..": _ = components.popLast()
        default: components.append(component)
        }
    }
    return components.last.map(String.init) ?? "basalt"
}()

/// One executable per suite under Benchmarks/<Suite>, as the benchmark plugin expects.
func suite(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            "BenchSupport",
            "BenchFigures",
            .product(name: "Basalt", package: basalt),
            .product(name: "Benchmark", package: "benchmark"),
        ],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "BasaltBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: basaltPath),
        // MallocInterposer only: the default RuntimeInterposer trait pulls in a
        // package the mirror does not have (swift-toolchain-notes.md §5).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Seeded data, scratch directories, page-cache control and timers, shared by the
        // suites and the profiling harness (which must not link the malloc interposer).
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "Basalt", package: basalt)]
        ),
        // The figures (MB/s, records/s, latency) the suites add to package-benchmark's metrics.
        .target(
            name: "BenchFigures",
            dependencies: [.product(name: "Benchmark", package: "benchmark")]
        ),
        // One workload in a plain loop, for perf and valgrind (not a benchmark suite).
        .executableTarget(
            name: "BenchProfile",
            dependencies: ["BenchSupport", .product(name: "Basalt", package: basalt)]
        ),
        suite("Codec"),
        suite("Append"),
        suite("Read"),
        suite("RawLimits"),
        .executableTarget(
            name: "Inspect",
            dependencies: [
                "BenchSupport",
                "BenchFigures",
                .product(name: "Basalt", package: basalt),
                .product(name: "BasaltInspect", package: basalt),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Inspect",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
