import Basalt
import Glibc
import Synchronization

/// A ``FileIO`` that forwards to another seam (normally ``SystemFileIO``), numbers every
/// write-side call, and fails the Nth one the way a disk can fail.
///
/// Write-side calls are `pwrite`, `fdatasync`, `fsync`, `ftruncate`, `allocate`,
/// `rename`, `unlink`, and `open` with `O_CREAT`. They are numbered from 1 in the order
/// they are made; reads, plain opens and `close` pass through unnumbered. A test runs a
/// workload once to learn how many calls it makes (``callCount``, ``calls``), then once
/// per call number with ``inject(_:atCall:mode:)``:
///
/// ```swift
/// let io = FaultInjectingFileIO()
/// io.inject(.error(.noSpace), atCall: 17, mode: .untilHealed(FaultInjectingFileIO.diskFull))
/// let log = try PartitionLog(directory: path, config: config, io: io)
/// // ... appends throw BasaltError.io(..., errno: ENOSPC) from call 17 on ...
/// io.heal()   // the disk got room again
/// ```
///
/// Thread-safe: numbering and the decision to fail happen under one lock, the forwarded
/// system call runs outside it. A fault fires at most at one call number, but in
/// ``Mode/untilHealed(_:)`` every later call it affects fails the same way until
/// ``heal()``.
public final class FaultInjectingFileIO: FileIO {
    /// A kind of write-side call.
    public enum Operation: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// `open(2)` with `O_CREAT`.
        case create
        /// `pwrite(2)`.
        case pwrite
        /// `fdatasync(2)`.
        case fdatasync
        /// `fsync(2)`.
        case fsync
        /// `ftruncate(2)`.
        case ftruncate
        /// `posix_fallocate(3)`.
        case allocate
        /// `rename(2)`.
        case rename
        /// `unlink(2)`.
        case unlink

        public var description: String { rawValue }
    }

    /// How a faulted call fails.
    public enum Fault: Sendable, Hashable, CustomStringConvertible {
        /// The call does nothing and throws the error (`ENOSPC`, `EIO`, …).
        case error(Errno)
        /// `pwrite` writes the first half of the buffer (rounded down, so possibly
        /// nothing) and returns that count, as a kernel does when it runs out of room
        /// part-way. Any other call throws `EIO`.
        case shortWrite
        /// `pwrite` writes the first half of the buffer, then throws the error: the
        /// bytes are in the file but the caller was told the write failed. Any other
        /// call throws the error without doing anything.
        case partialWriteThenError(Errno)

        public var description: String {
            switch self {
            case .error(let error): "error(\(errnoName(error.code)))"
            case .shortWrite: "shortWrite"
            case .partialWriteThenError(let error): "partialWriteThenError(\(errnoName(error.code)))"
            }
        }
    }

    /// How long an injected fault lasts.
    public enum Mode: Sendable, Hashable {
        /// Only the call with the chosen number fails.
        case once
        /// The call with the chosen number fails, and so does every later call of the
        /// given operations, until ``FaultInjectingFileIO/heal()``.
        case untilHealed(Set<Operation>)

        /// Every later write-side call fails until healed: a dying disk.
        public static var untilHealed: Mode { .untilHealed(Set(Operation.allCases)) }
    }

    /// The operations a full disk fails: those that need new blocks. `fsync`,
    /// `fdatasync`, `ftruncate`, `rename` and `unlink` still work on a full ext4 disk.
    public static let diskFull: Set<Operation> = [.create, .pwrite, .allocate]

    /// One numbered write-side call.
    public struct Call: Sendable, Hashable, CustomStringConvertible {
        /// The call's number, from 1.
        public let number: Int
        /// What the call did.
        public let operation: Operation
        /// The file it touched: the path for `open`, `rename` (source), `unlink`, and the
        /// path its descriptor was opened from for the others; nil when unknown.
        public let path: String?
        /// Bytes asked for by a `pwrite`, or the length of an `ftruncate` or `allocate`.
        public let length: Int64?
        /// The fault injected into this call, if any.
        public let fault: Fault?

        public var description: String {
            var text = "#\(number) \(operation)"
            if let path { text += " " + (path.split(separator: "/").last.map(String.init) ?? path) }
            if let length { text += " \(length)" }
            if let fault { text += " ← \(fault)" }
            return text
        }
    }

    private struct Armed {
        let fault: Fault
        let callNumber: Int
        let mode: Mode
    }

    private struct State {
        var count = 0
        var armed: Armed?
        /// Set once an `untilHealed` fault has fired.
        var failing: (fault: Fault, operations: Set<Operation>)?
        var calls: [Call] = []
        var paths: [Int32: String] = [:]
    }

    private let base: any FileIO
    private let skipsSyncs: Bool
    private let state = Mutex(State())

    /// Wraps `base`, which does the real work of every call that is not faulted.
    ///
    /// - Parameter skipsSyncs: when true, `fdatasync` and `fsync` are numbered and can be
    ///   faulted but are not passed on. Tests that never cut power lose nothing by it,
    ///   and a run that syncs dozens of times gets many times faster.
    public init(wrapping base: any FileIO = SystemFileIO(), skipsSyncs: Bool = false) {
        self.base = base
        self.skipsSyncs = skipsSyncs
    }

    /// Arms `fault` for the write-side call numbered `callNumber` (counted from the
    /// creation of this seam, from 1). Replaces a fault armed earlier that has not fired.
    public func inject(_ fault: Fault, atCall callNumber: Int, mode: Mode = .once) {
        precondition(callNumber >= 1, "call numbers start at 1")
        state.withLock { state in
            state.armed = Armed(fault: fault, callNumber: callNumber, mode: mode)
        }
    }

    /// Stops every fault: an `untilHealed` fault that is failing calls, and one armed
    /// that has not fired yet. Calls after it succeed unless a new fault is injected.
    public func heal() {
        state.withLock { state in
            state.armed = nil
            state.failing = nil
        }
    }

    /// Number of write-side calls made so far.
    public var callCount: Int { state.withLock { $0.count } }

    /// Every write-side call made so far, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// The calls that were faulted, in order.
    public var faultedCalls: [Call] { state.withLock { $0.calls.filter { $0.fault != nil } } }

    /// Whether an `untilHealed` fault has fired and is still failing calls.
    public var isFailing: Bool { state.withLock { $0.failing != nil } }

    /// Numbers the call and decides whether it fails.
    private func admit(_ operation: Operation, path: String?, descriptor: Int32? = nil, length: Int64? = nil) -> Fault? {
        state.withLock { state in
            state.count += 1
            let number = state.count
            var fault: Fault?
            if let failing = state.failing, failing.operations.contains(operation) {
                fault = failing.fault
            } else if let armed = state.armed, armed.callNumber == number {
                fault = armed.fault
                state.armed = nil
                if case .untilHealed(let operations) = armed.mode { state.failing = (armed.fault, operations) }
            }
            let knownPath = path ?? descriptor.flatMap { state.paths[$0] }
            state.calls.append(Call(number: number, operation: operation, path: knownPath, length: length, fault: fault))
            return fault
        }
    }

    /// The error a non-`pwrite` call throws for `fault`.
    private static func error(for fault: Fault) -> Errno {
        switch fault {
        case .error(let error), .partialWriteThenError(let error): error
        case .shortWrite: .io
        }
    }

    public func open(_ path: String, flags: Int32, mode: UInt32) throws(Errno) -> Int32 {
        if flags & O_CREAT != 0, let fault = admit(.create, path: path) {
            throw Self.error(for: fault)
        }
        let descriptor = try base.open(path, flags: flags, mode: mode)
        state.withLock { $0.paths[descriptor] = path }
        return descriptor
    }

    public func close(_ descriptor: Int32) {
        state.withLock { _ = $0.paths.removeValue(forKey: descriptor) }
        base.close(descriptor)
    }

    public func pwrite(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        guard let fault = admit(.pwrite, path: nil, descriptor: descriptor, length: Int64(bytes.count)) else {
            return try base.pwrite(descriptor, bytes, at: offset)
        }
        switch fault {
        case .error(let error):
            throw error
        case .shortWrite:
            return try writePrefix(descriptor, bytes, at: offset)
        case .partialWriteThenError(let error):
            _ = try writePrefix(descriptor, bytes, at: offset)
            throw error
        }
    }

    /// Numbered as one `pwrite` of the buffers' total length; a short or partial write
    /// writes the first half of that total, which may end inside any buffer.
    public func pwritev(_ descriptor: Int32, _ buffers: [UnsafeRawBufferPointer], at offset: Int64) throws(Errno) -> Int {
        let total = buffers.reduce(0) { $0 + $1.count }
        guard let fault = admit(.pwrite, path: nil, descriptor: descriptor, length: Int64(total)) else {
            return try base.pwritev(descriptor, buffers, at: offset)
        }
        switch fault {
        case .error(let error):
            throw error
        case .shortWrite:
            return try writePrefix(descriptor, buffers, total: total, at: offset)
        case .partialWriteThenError(let error):
            _ = try writePrefix(descriptor, buffers, total: total, at: offset)
            throw error
        }
    }

    /// Writes the first half of `total` bytes of `buffers` through the base seam.
    private func writePrefix(
        _ descriptor: Int32, _ buffers: [UnsafeRawBufferPointer], total: Int, at offset: Int64
    ) throws(Errno) -> Int {
        var left = total / 2
        var prefix: [UnsafeRawBufferPointer] = []
        for buffer in buffers where left > 0 {
            let take = min(left, buffer.count)
            prefix.append(UnsafeRawBufferPointer(rebasing: buffer[..<take]))
            left -= take
        }
        guard !prefix.isEmpty else { return 0 }
        return try base.pwritev(descriptor, prefix, at: offset)
    }

    /// Writes the first half of `bytes` through the base seam; returns how many it wrote.
    private func writePrefix(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        let prefix = bytes.count / 2
        guard prefix > 0 else { return 0 }
        return try base.pwrite(descriptor, UnsafeRawBufferPointer(rebasing: bytes[..<prefix]), at: offset)
    }

    public func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try base.pread(descriptor, into: buffer, at: offset)
    }

    public func fdatasync(_ descriptor: Int32) throws(Errno) {
        if let fault = admit(.fdatasync, path: nil, descriptor: descriptor) { throw Self.error(for: fault) }
        if !skipsSyncs { try base.fdatasync(descriptor) }
    }

    public func fsync(_ descriptor: Int32) throws(Errno) {
        if let fault = admit(.fsync, path: nil, descriptor: descriptor) { throw Self.error(for: fault) }
        if !skipsSyncs { try base.fsync(descriptor) }
    }

    public func ftruncate(_ descriptor: Int32, length: Int64) throws(Errno) {
        if let fault = admit(.ftruncate, path: nil, descriptor: descriptor, length: length) { throw Self.error(for: fault) }
        try base.ftruncate(descriptor, length: length)
    }

    public func allocate(_ descriptor: Int32, length: Int64) throws(Errno) {
        if let fault = admit(.allocate, path: nil, descriptor: descriptor, length: length) { throw Self.error(for: fault) }
        try base.allocate(descriptor, length: length)
    }

    public func rename(_ from: String, to: String) throws(Errno) {
        if let fault = admit(.rename, path: from) { throw Self.error(for: fault) }
        try base.rename(from, to: to)
    }

    public func unlink(_ path: String) throws(Errno) {
        if let fault = admit(.unlink, path: path) { throw Self.error(for: fault) }
        try base.unlink(path)
    }
}

/// `strerror` text and number, for fault descriptions.
private func errnoName(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: message)) (errno \(code))"
}
