import BasaltEtcd
import Foundation
import NIOPosix
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real etcd server for one test: its own temporary data dir and free loopback ports, started on
/// demand, killed (and its data dir removed) by `shutdown()`.
///
/// Readiness is a retry-until-ready loop with a deadline (a `kv/range` that succeeds), never a sleep.
/// A missing `etcd` binary is a test failure with install instructions, not a skip: CI installs it.
final class EtcdProcess: @unchecked Sendable {
    // @unchecked: `process` is replaced by restart(); tests call start/stop/restart from one task at a
    // time, and the lock below guards it against the signal helpers being called concurrently.
    private let lock = NSLock()
    private var process: Process?
    let executable: URL
    let dataDir: URL
    let clientPort: Int
    let peerPort: Int

    var endpoint: EtcdEndpoint { EtcdEndpoint(host: "127.0.0.1", port: clientPort) }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Finds etcd, picks ports, starts it and waits until it answers.
    static func start(readyWithin: Duration = .seconds(20)) async throws -> EtcdProcess {
        let etcd = try EtcdProcess()
        try etcd.launch()
        try await etcd.waitUntilReady(within: readyWithin)
        return etcd
    }

    private init() throws {
        guard let executable = Self.findOnPath("etcd") else {
            throw SetupError(description:
                "etcd is not on PATH: the BasaltEtcd tests need a real etcd 3.4+. Install it with "
                + "'sudo apt-get install -y etcd-server' (Debian/Ubuntu) or run 'make test-deps' as root.")
        }
        self.executable = executable
        dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("basalt-etcd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        clientPort = try Self.freeLoopbackPort()
        var peer = try Self.freeLoopbackPort()
        while peer == clientPort { peer = try Self.freeLoopbackPort() }
        peerPort = peer
    }

    private func launch() throws {
        let process = Process()
        process.executableURL = executable
        let client = "http://127.0.0.1:\(clientPort)"
        let peer = "http://127.0.0.1:\(peerPort)"
        process.arguments = [
            "--name", "t", "--data-dir", dataDir.appendingPathComponent("data").path,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "t=\(peer)",
        ]
        let logPath = dataDir.appendingPathComponent("etcd.log").path
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        lock.withLock { self.process = process }
    }

    /// Polls with a real request until etcd serves it, up to `within`.
    func waitUntilReady(within: Duration) async throws {
        let client = try EtcdClient(
            endpoints: [endpoint], eventLoopGroup: MultiThreadedEventLoopGroup.singleton, requestTimeout: .milliseconds(500))
        let deadline = ContinuousClock.now + within
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                // A read and a write: right after a (re)start etcd can answer reads while the
                // first writes still drop their connection, which a test must not take as its own.
                _ = try await client.get("readiness-probe")
                _ = try await client.put("readiness-probe", value: [])
                return
            } catch {
                lastError = error
            }
            // A retry pause of a retry-until-ready loop, not synchronisation: the loop ends on success.
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SetupError(description: "etcd on port \(clientPort) not ready within \(within): \(String(describing: lastError)); log: \(logTail())")
    }

    /// SIGKILL and wait for the process to end.
    func kill() {
        guard let process = lock.withLock({ self.process }) else { return }
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGCONT)
            Glibc.kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        lock.withLock { self.process = nil }
    }

    /// Kills etcd and starts it again on the same data dir and ports.
    func restart(readyWithin: Duration = .seconds(20)) async throws {
        kill()
        try launch()
        try await waitUntilReady(within: readyWithin)
    }

    /// Freezes etcd (SIGSTOP): connections stay open, nothing is answered.
    func pause() { signal(SIGSTOP) }

    /// Thaws etcd after `pause()`.
    func resume() { signal(SIGCONT) }

    private func signal(_ number: Int32) {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        Glibc.kill(process.processIdentifier, number)
    }

    /// Kills etcd and removes its data dir.
    func shutdown() {
        kill()
        try? FileManager.default.removeItem(at: dataDir)
    }

    func logTail() -> String {
        let data = (try? Data(contentsOf: dataDir.appendingPathComponent("etcd.log"))) ?? Data()
        return String(decoding: data.suffix(2000), as: UTF8.self)
    }

    private static func findOnPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// A port the kernel just handed out for 127.0.0.1 and released; free unless raced for.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw SetupError(description: "bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw SetupError(description: "getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs `body` with a fresh etcd and a client for it; kills etcd afterwards, whatever happens.
func withEtcd<T>(
    requestTimeout: Duration = .seconds(2),
    _ body: (EtcdProcess, EtcdClient) async throws -> T
) async throws -> T {
    let etcd = try await EtcdProcess.start()
    defer { etcd.shutdown() }
    let client = try EtcdClient(
        endpoints: [etcd.endpoint], eventLoopGroup: MultiThreadedEventLoopGroup.singleton, requestTimeout: requestTimeout,
        watchReconnectTimeout: .seconds(30))
    return try await body(etcd, client)
}

/// Waits for `condition` to become true, polling every 50 ms, failing after `within`.
func eventually(
    within: Duration, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("\(what) did not happen within \(within)", sourceLocation: sourceLocation)
    throw EtcdProcess.SetupError(description: "\(what) did not happen within \(within)")
}

/// Runs `body`, failing with a clear error if it takes longer than `within`.
func withDeadline<T: Sendable>(
    _ within: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: within)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw EtcdProcess.SetupError(description: "\(what) did not happen within \(within)")
        }
        return value
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Reads a stream in the background and keeps what it delivered, so a test can wait for the Nth
/// element (or the end) with a deadline. `cancel()` stops reading, which ends the stream's producer.
final class StreamCollector<Element: Sendable>: Sendable {
    private struct State {
        var elements: [Element] = []
        var finished = false
        var error: (any Error)?
    }
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ stream: AsyncThrowingStream<Element, any Error>) {
        let reader = Task { [self] in
            do {
                for try await element in stream { self.state.withLock { $0.elements.append(element) } }
                self.state.withLock { $0.finished = true }
            } catch {
                self.state.withLock {
                    $0.finished = true
                    $0.error = error
                }
            }
        }
        task.withLock { $0 = reader }
    }

    var elements: [Element] { state.withLock { $0.elements } }
    var finished: Bool { state.withLock { $0.finished } }
    var error: (any Error)? { state.withLock { $0.error } }

    /// Waits until at least `count` elements arrived; returns them.
    @discardableResult
    func waitFor(count: Int, within: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [Element] {
        try await eventually(within: within, "\(count) stream elements (have \(elements.count), error \(String(describing: error)))",
                             sourceLocation: sourceLocation) {
            elements.count >= count
        }
        return elements
    }

    /// Waits until the stream ended; returns its error, if any.
    func waitForEnd(within: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws -> (any Error)? {
        try await eventually(within: within, "end of stream", sourceLocation: sourceLocation) { finished }
        return error
    }

    func cancel() { task.withLock { $0?.cancel() } }
}
