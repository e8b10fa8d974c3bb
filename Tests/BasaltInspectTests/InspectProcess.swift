import Foundation
import Glibc

/// Runs the real `basalt-inspect` executable as a child process.
///
/// The executable is found next to the test bundle, in the build products directory of
/// whatever `--scratch-path` the tests were built with; `BASALT_INSPECT_BIN` overrides.
enum InspectProcess {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var error: String
    }

    static let executable: String = {
        if let override = ProcessInfo.processInfo.environment["BASALT_INSPECT_BIN"] { return override }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        var candidates: [String] = []
        if count > 0 {
            let bytes = buffer[0..<count].map { UInt8(bitPattern: $0) }
            let exe = String(decoding: bytes, as: UTF8.self)
            var directory = (exe as NSString).deletingLastPathComponent
            // macOS-style bundles keep the binary deeper inside the .xctest directory.
            for _ in 0..<4 {
                candidates.append(directory + "/basalt-inspect")
                directory = (directory as NSString).deletingLastPathComponent
            }
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("basalt-inspect").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "basalt-inspect"
    }()

    /// Runs `basalt-inspect arguments…` and waits for it.
    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let errorData = LockedData()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorData.value, as: UTF8.self))
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false

    func set(_ value: Data) {
        lock.lock()
        data = value
        done = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    var value: Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}
