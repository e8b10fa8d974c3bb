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
    /// GNU time, which reports the peak resident memory of the one command it runs.
    static let timeExecutable = "/usr/bin/time"

    /// Why a memory measurement could not be made.
    enum MeasureError: Error, CustomStringConvertible {
        case timeMissing
        case spawnFailed(errno: Int32)
        case noFigure(output: String)

        var description: String {
            switch self {
            case .timeMissing: "\(InspectProcess.timeExecutable) is missing: install GNU time (apt-get install time; `make test` does)"
            case .spawnFailed(let code): "posix_spawn of \(InspectProcess.timeExecutable) failed: errno \(code)"
            case .noFigure(let output): "GNU time wrote no peak memory figure: \(output.debugDescription)"
            }
        }
    }

    /// Runs `basalt-inspect arguments…` with its output discarded and returns its exit
    /// status and its own peak resident memory in KiB.
    ///
    /// The figure comes from GNU time (`%M`), not from this process's `wait4`. glibc's
    /// `posix_spawn` clones with `CLONE_VM | CLONE_VFORK`, and at `exec` the kernel folds
    /// the high-water mark of the memory the child leaves (this test process's) into the
    /// child's `ru_maxrss`, so a child spawned from here reports at least our own RSS.
    /// GNU time forks the command from its own small process, so what it reports is the
    /// command's peak (or time's own few MiB, whichever is larger).
    static func peakMemory(_ arguments: [String]) throws -> (status: Int32, maxResidentKiB: Int) {
        guard access(timeExecutable, X_OK) == 0 else { throw MeasureError.timeMissing }
        let directory = TemporaryDirectory("basalt-inspect-time")
        let figure = directory.child("peak")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [Int32(0), 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        // `--quiet` keeps "Command exited with non-zero status" out of the figure file;
        // time exits with the command's status.
        let command = [timeExecutable, "--quiet", "-f", "%M", "-o", figure, executable] + arguments
        let argv = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, timeExecutable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw MeasureError.spawnFailed(errno: spawned) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw MeasureError.spawnFailed(errno: errno) }
        }
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
        let output = (try? String(contentsOfFile: figure, encoding: .utf8)) ?? ""
        guard let kibibytes = output.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw MeasureError.noFigure(output: output)
        }
        return (exitStatus, kibibytes)
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
