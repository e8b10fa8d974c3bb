import Basalt
import Dispatch
import Glibc
import Synchronization

/// A ``FileIO`` that forwards to another seam (normally ``SystemFileIO``) but can stop
/// the creation (`open` with `O_CREAT`) of one chosen file: hold it until the test
/// releases it, or fail it. A test then knows exactly where a writer is, with no sleeps,
/// while it checks what other threads can do meanwhile.
///
/// ```swift
/// let io = GatedFileIO()
/// io.hold(pathSuffix: "/topics/slow.json.tmp")
/// DispatchQueue.global().async { try? store.createTopic("slow") }
/// io.waitUntilHeld()     // the creation is inside its topic-file write
/// // ... check lookups, concurrent calls ...
/// io.release()
/// ```
///
/// Each armed gate acts once; later creations of the file pass through.
public final class GatedFileIO: FileIO {
    private enum Gate {
        case hold(String)
        case fail(String, Errno)
    }

    private let base: any FileIO
    private let gate = Mutex<Gate?>(nil)
    private let reached = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    /// Wraps `base`, which does the real work of every call that is not stopped.
    public init(wrapping base: any FileIO = SystemFileIO()) {
        self.base = base
    }

    /// Holds the next creation of a file whose path ends with `pathSuffix` until
    /// ``release()``.
    public func hold(pathSuffix: String) { gate.withLock { $0 = .hold(pathSuffix) } }

    /// Fails the next creation of a file whose path ends with `pathSuffix` with `error`.
    public func fail(pathSuffix: String, with error: Errno) { gate.withLock { $0 = .fail(pathSuffix, error) } }

    /// Blocks the calling thread until a held creation reached the gate.
    public func waitUntilHeld() { reached.wait() }

    /// Lets the held creation go on.
    public func release() { released.signal() }

    public func open(_ path: String, flags: Int32, mode: UInt32) throws(Errno) -> Int32 {
        if flags & O_CREAT != 0 {
            let stop = gate.withLock { gate -> Gate? in
                switch gate {
                case .hold(let suffix) where path.hasSuffix(suffix), .fail(let suffix, _) where path.hasSuffix(suffix):
                    defer { gate = nil }
                    return gate
                default:
                    return nil
                }
            }
            switch stop {
            case .hold?:
                reached.signal()
                released.wait()
            case .fail(_, let error)?:
                throw error
            case nil:
                break
            }
        }
        return try base.open(path, flags: flags, mode: mode)
    }

    public func close(_ descriptor: Int32) { base.close(descriptor) }

    public func pwrite(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try base.pwrite(descriptor, bytes, at: offset)
    }

    public func pwritev(_ descriptor: Int32, _ buffers: [UnsafeRawBufferPointer], at offset: Int64) throws(Errno) -> Int {
        try base.pwritev(descriptor, buffers, at: offset)
    }

    public func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try base.pread(descriptor, into: buffer, at: offset)
    }

    public func fdatasync(_ descriptor: Int32) throws(Errno) { try base.fdatasync(descriptor) }

    public func fsync(_ descriptor: Int32) throws(Errno) { try base.fsync(descriptor) }

    public func ftruncate(_ descriptor: Int32, length: Int64) throws(Errno) { try base.ftruncate(descriptor, length: length) }

    public func allocate(_ descriptor: Int32, length: Int64) throws(Errno) { try base.allocate(descriptor, length: length) }

    public func rename(_ from: String, to: String) throws(Errno) { try base.rename(from, to: to) }

    public func unlink(_ path: String) throws(Errno) { try base.unlink(path) }
}
