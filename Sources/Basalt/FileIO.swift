import Glibc

/// The one seam every byte the store writes goes through.
///
/// ``SystemFileIO`` forwards to the system calls. Tests substitute an implementation that
/// fails at the Nth call with `ENOSPC` or `EIO`, or writes only part of a buffer, to check
/// that each failure leaves the log valid. Reads and the memory-mapped index pages do not
/// go through the seam; index files are reserved with ``allocate(_:length:)`` first, so a
/// full disk shows up here instead of as a `SIGBUS` on a mapped page.
///
/// Every method reports failure by throwing ``Errno`` with the raw `errno` value.
public protocol FileIO: Sendable {
    /// `open(2)`. Returns the descriptor.
    func open(_ path: String, flags: Int32, mode: UInt32) throws(Errno) -> Int32
    /// `close(2)`. Errors are ignored by callers, as the descriptor is gone either way.
    func close(_ descriptor: Int32)
    /// `pwrite(2)`: may write fewer bytes than asked; returns how many it wrote.
    func pwrite(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int
    /// `pwritev(2)`: writes `buffers` back to back from `offset` in one call, so a batch
    /// and a rewritten field can reach the file without first being copied together.
    /// May write fewer bytes than their total; returns how many it wrote. At most
    /// `IOV_MAX` (1,024) buffers.
    func pwritev(_ descriptor: Int32, _ buffers: [UnsafeRawBufferPointer], at offset: Int64) throws(Errno) -> Int
    /// `pread(2)`: returns how many bytes it read, 0 at end of file.
    func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int
    /// `fdatasync(2)`.
    func fdatasync(_ descriptor: Int32) throws(Errno)
    /// `fsync(2)`, used on directories after creating, renaming or removing entries.
    func fsync(_ descriptor: Int32) throws(Errno)
    /// `ftruncate(2)`.
    func ftruncate(_ descriptor: Int32, length: Int64) throws(Errno)
    /// `posix_fallocate(3)`: reserves blocks so later writes cannot fail for lack of space.
    func allocate(_ descriptor: Int32, length: Int64) throws(Errno)
    /// `rename(2)`.
    func rename(_ from: String, to: String) throws(Errno)
    /// `unlink(2)`.
    func unlink(_ path: String) throws(Errno)
}

extension FileIO {
    /// The gathered write built from ``pwrite(_:_:at:)`` calls, one buffer after another,
    /// so a `FileIO` written before `pwritev` joined the seam keeps compiling. Like
    /// `pwritev(2)` it returns the bytes written when a later call fails or writes short,
    /// and throws only when nothing was written.
    public func pwritev(_ descriptor: Int32, _ buffers: [UnsafeRawBufferPointer], at offset: Int64) throws(Errno) -> Int {
        var total = 0
        for buffer in buffers where buffer.count > 0 {
            let written: Int
            do {
                written = try pwrite(descriptor, buffer, at: offset + Int64(total))
            } catch {
                if total == 0 { throw error }
                return total
            }
            total += written
            if written < buffer.count { break }
        }
        return total
    }
}

/// A failed system call's `errno`.
public struct Errno: Error, Hashable, Sendable {
    /// The raw `errno` value.
    public var code: Int32

    /// Wraps a raw `errno` value.
    public init(_ code: Int32) { self.code = code }

    /// No space left on device.
    public static let noSpace = Errno(ENOSPC)
    /// Input/output error.
    public static let io = Errno(EIO)
}
