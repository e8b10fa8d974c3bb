// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Basalt",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Basalt", targets: ["Basalt"]),
        .executable(name: "basalt-demo", targets: ["basalt-demo"]),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]
        ),
        .target(name: "CCRC32C"),
        .target(
            name: "Basalt",
            dependencies: ["CLZ4", "CCRC32C"]
        ),
        .executableTarget(
            name: "basalt-demo",
            dependencies: ["Basalt"]
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
            dependencies: ["Basalt", "BasaltCrashWriter"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
