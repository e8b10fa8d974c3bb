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

extension InspectProcess {
    /// Runs `basalt-inspect arguments…` with its output discarded and returns its exit
    /// status and its own peak resident memory in KiB. `wait4` reports that child's
    /// usage alone; `RUSAGE_CHILDREN` would also count every other child this test
    /// process spawned concurrently (the crash test's writers, for one).
    static func peakMemory(_ arguments: [String]) throws -> (status: Int32, maxResidentKiB: Int) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
        return (exitStatus, Int(usage.ru_maxrss))
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
