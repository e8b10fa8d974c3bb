import Basalt
import Glibc

/// The compaction crash test's shared parts: the log settings, the history the test
/// writes before handing the directory to the child, and the file seam with which the
/// child kills itself (SIGKILL) just before its Nth write-side call.
///
/// The child (`BasaltCrashWriter compact <directory> <killAtCall>`) opens the log through
/// ``SelfKillingFileIO`` and runs one forced clean; when the clean finishes before call
/// `killAtCall` it prints `done <calls>` and exits 0. Killing before every call in turn
/// stops the process between every two steps of the clean and of its swap protocol.
public enum CompactionCrash {
    /// Small segments (about a dozen), compaction, nothing expires.
    public static var config: LogConfig {
        var config = LogConfig()
        config.segmentBytes = 2048
        config.indexIntervalBytes = 256
        config.maxIndexBytes = 4096
        config.retentionMs = -1
        config.durability = .os
        config.cleanupPolicy = .compact
        config.minCleanableDirtyRatio = 0
        return config
    }

    /// One record of the history: key number and value (nil: a tombstone).
    public struct Write: Sendable, Equatable {
        public var key: Int
        public var value: [UInt8]?
    }

    /// The deterministic history: 240 writes to 12 keys, every 11th a tombstone, in
    /// batches of 1–4 records, some LZ4.
    public static let history: [[Write]] = {
        var random = WorkloadRandom(seed: 0xC1EA_4E12)
        var batches: [[Write]] = []
        var written = 0
        while written < 240 {
            let count = 1 + random.below(4)
            batches.append((0..<count).map { index in
                let number = written + index
                let key = random.below(12)
                return Write(key: key, value: number % 11 == 10 ? nil : Array("value \(number) of k\(key)".utf8))
            })
            written += count
        }
        return batches
    }()

    public static func key(_ number: Int) -> [UInt8] { Array("k\(number)".utf8) }
}

/// The system's file I/O, counting write-side calls (`open` with `O_CREAT`, `pwrite`,
/// `pwritev`, `fdatasync`, `fsync`, `ftruncate`, `allocate`, `rename`, `unlink`) and
/// killing the process with SIGKILL just before call number `killAtCall` (never when 0).
public final class SelfKillingFileIO: FileIO, @unchecked Sendable {
    // One thread uses it (the child's clean); unchecked because the count is a plain var.
    private let system = SystemFileIO()
    private let killAtCall: Int
    public private(set) var calls = 0

    public init(killAtCall: Int) { self.killAtCall = killAtCall }

    private func step() {
        calls += 1
        if calls == killAtCall { raise(SIGKILL) }
    }

    public func open(_ path: String, flags: Int32, mode: UInt32) throws(Errno) -> Int32 {
        if flags & O_CREAT != 0 { step() }
        return try system.open(path, flags: flags, mode: mode)
    }
    public func close(_ descriptor: Int32) { system.close(descriptor) }
    public func pwrite(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        step()
        return try system.pwrite(descriptor, bytes, at: offset)
    }
    public func pwritev(_ descriptor: Int32, _ buffers: [UnsafeRawBufferPointer], at offset: Int64) throws(Errno) -> Int {
        step()
        return try system.pwritev(descriptor, buffers, at: offset)
    }
    public func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try system.pread(descriptor, into: buffer, at: offset)
    }
    public func fdatasync(_ descriptor: Int32) throws(Errno) { step(); try system.fdatasync(descriptor) }
    public func fsync(_ descriptor: Int32) throws(Errno) { step(); try system.fsync(descriptor) }
    public func ftruncate(_ descriptor: Int32, length: Int64) throws(Errno) { step(); try system.ftruncate(descriptor, length: length) }
    public func allocate(_ descriptor: Int32, length: Int64) throws(Errno) { step(); try system.allocate(descriptor, length: length) }
    public func rename(_ from: String, to: String) throws(Errno) { step(); try system.rename(from, to: to) }
    public func unlink(_ path: String) throws(Errno) { step(); try system.unlink(path) }
}
