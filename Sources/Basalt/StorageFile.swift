import Glibc

/// One open file of the store: a descriptor, the path it was opened from for error
/// messages, and the ``FileIO`` seam its writes go through.
///
/// The descriptor closes when the last reference goes away, so a reader that still holds
/// a segment's file after retention unlinked it keeps reading the old bytes safely.
/// Immutable after creation, hence `Sendable`; positioned reads and writes share no
/// file offset, so concurrent use is safe.
public final class StorageFile: Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The open descriptor. Valid for the lifetime of this object; do not close it.
    public let descriptor: Int32
    let io: any FileIO

    init(path: String, flags: Int32, io: any FileIO) throws {
        do throws(Errno) {
            self.descriptor = try io.open(path, flags: flags, mode: 0o644)
        } catch {
            throw BasaltError.io(operation: "open", path: path, errno: error.code)
        }
        self.path = path
        self.io = io
    }

    deinit { io.close(descriptor) }

    /// Writes all of `bytes` at `offset`, continuing after short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[done...])
            do throws(Errno) {
                let written = try io.pwrite(descriptor, rest, at: offset + Int64(done))
                // A zero-byte write with bytes left would loop forever; the kernel reports
                // a full disk that way on some file systems.
                if written == 0 { throw Errno.noSpace }
                done += written
            } catch {
                throw BasaltError.io(operation: "write", path: path, errno: error.code)
            }
        }
    }

    /// Writes `buffers` back to back at `offset`, continuing after short writes.
    func write(_ buffers: [UnsafeRawBufferPointer], at offset: Int64) throws {
        var rest = buffers.filter { $0.count > 0 }
        var done: Int64 = 0
        while !rest.isEmpty {
            do throws(Errno) {
                var written = try io.pwritev(descriptor, rest, at: offset + done)
                // As in `write(_:at:)`: zero bytes written with bytes left is a full disk.
                if written == 0 { throw Errno.noSpace }
                done += Int64(written)
                // Drop what reached the file: whole buffers, then the front of the next.
                while written > 0 {
                    if written >= rest[0].count {
                        written -= rest[0].count
                        rest.removeFirst()
                    } else {
                        rest[0] = UnsafeRawBufferPointer(rebasing: rest[0][written...])
                        written = 0
                    }
                }
            } catch {
                throw BasaltError.io(operation: "write", path: path, errno: error.code)
            }
        }
    }

    /// Reads until `buffer` is full or the file ends. Returns the bytes read.
    /// Throws ``BasaltError/io(operation:path:errno:)``.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
            let read: Int
            do throws(Errno) {
                read = try io.pread(descriptor, into: rest, at: offset + Int64(done))
            } catch {
                throw BasaltError.io(operation: "read", path: path, errno: error.code)
            }
            if read == 0 { break }
            done += read
        }
        return done
    }

    /// Reads `count` bytes at `offset` into a new array; fewer at the end of the file.
    /// Throws ``BasaltError/io(operation:path:errno:)``.
    public func read(count: Int, at offset: Int64) throws -> [UInt8] {
        var failure: (any Error)?
        var got = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do {
                got = try read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
            } catch {
                failure = error
            }
            initialized = failure == nil ? got : 0
        }
        if let failure { throw failure }
        if bytes.count != got { bytes.removeLast(bytes.count - got) }
        return bytes
    }

    /// `fdatasync`: the file's data reaches stable storage.
    func sync() throws {
        do throws(Errno) { try io.fdatasync(descriptor) } catch {
            throw BasaltError.io(operation: "fdatasync", path: path, errno: error.code)
        }
    }

    /// Sets the file's length.
    func truncate(to length: Int64) throws {
        do throws(Errno) { try io.ftruncate(descriptor, length: length) } catch {
            throw BasaltError.io(operation: "ftruncate", path: path, errno: error.code)
        }
    }

    /// Reserves `length` bytes of disk space.
    func allocate(length: Int64) throws {
        do throws(Errno) { try io.allocate(descriptor, length: length) } catch {
            throw BasaltError.io(operation: "fallocate", path: path, errno: error.code)
        }
    }

    /// The file's current length. Throws ``BasaltError/io(operation:path:errno:)``.
    public func size() throws -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw BasaltError.io(operation: "fstat", path: path, errno: errno)
        }
        return Int64(info.st_size)
    }
}
