import Glibc

/// The ``FileIO`` that calls the operating system. Retries calls interrupted by signals.
public struct SystemFileIO: FileIO {
    /// Creates the system seam.
    public init() {}

    public func open(_ path: String, flags: Int32, mode: UInt32) throws(Errno) -> Int32 {
        while true {
            let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode_t(mode))
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw Errno(errno) }
        }
    }

    public func close(_ descriptor: Int32) {
        _ = Glibc.close(descriptor)
    }

    public func pwrite(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        while true {
            let written = Glibc.pwrite(descriptor, bytes.baseAddress, bytes.count, off_t(offset))
            if written >= 0 { return written }
            if errno != EINTR { throw Errno(errno) }
        }
    }

    public func pwritev(_ descriptor: Int32, _ buffers: [UnsafeRawBufferPointer], at offset: Int64) throws(Errno) -> Int {
        // Linux's UIO_MAXIOV; Glibc does not import IOV_MAX.
        precondition(buffers.count <= 1024, "more buffers than one pwritev takes")
        let vectors = buffers.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
        while true {
            let written = vectors.withUnsafeBufferPointer { Glibc.pwritev(descriptor, $0.baseAddress, Int32($0.count), off_t(offset)) }
            if written >= 0 { return written }
            if errno != EINTR { throw Errno(errno) }
        }
    }

    public func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        while true {
            let read = Glibc.pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if read >= 0 { return read }
            if errno != EINTR { throw Errno(errno) }
        }
    }

    public func fdatasync(_ descriptor: Int32) throws(Errno) {
        while Glibc.fdatasync(descriptor) != 0 {
            if errno != EINTR { throw Errno(errno) }
        }
    }

    public func fsync(_ descriptor: Int32) throws(Errno) {
        while Glibc.fsync(descriptor) != 0 {
            if errno != EINTR { throw Errno(errno) }
        }
    }

    public func ftruncate(_ descriptor: Int32, length: Int64) throws(Errno) {
        while Glibc.ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR { throw Errno(errno) }
        }
    }

    public func allocate(_ descriptor: Int32, length: Int64) throws(Errno) {
        // posix_fallocate returns the error number instead of setting errno.
        var result: Int32
        repeat {
            result = posix_fallocate(descriptor, 0, off_t(length))
        } while result == EINTR
        if result != 0 { throw Errno(result) }
    }

    public func rename(_ from: String, to: String) throws(Errno) {
        if Glibc.rename(from, to) != 0 { throw Errno(errno) }
    }

    public func unlink(_ path: String) throws(Errno) {
        if Glibc.unlink(path) != 0 { throw Errno(errno) }
    }
}
