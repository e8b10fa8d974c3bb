import BasaltTesting
import Glibc
import Testing

@testable import Basalt

@Suite struct StorageFileTests {
    /// A gathered write that the disk cuts short continues from where it stopped, whether
    /// the cut falls inside the first buffer, inside a later one or between them, and the
    /// file ends up holding the buffers back to back.
    @Test(arguments: [(first: 100, second: 3), (first: 3, second: 100), (first: 8, second: 8)])
    func gatheredWritesContinueAfterShortWrites(first: Int, second: Int) throws {
        let directory = TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let path = directory.child("file")
        let file = try StorageFile(path: path, flags: O_RDWR | O_CREAT, io: io)
        var random = SeededGenerator(seed: 0x5707_0001)
        let a = random.bytes(first)
        let b = random.bytes(second)
        // Call 1 is the open; call 2, the first write, writes only half of the total.
        io.inject(.shortWrite, atCall: 2)
        try a.withUnsafeBytes { a in
            try b.withUnsafeBytes { b in try file.write([a, b], at: 5) }
        }
        #expect(io.calls.filter { $0.operation == .pwrite }.count == 2)
        #expect(Array(readFile(path)[5...]) == a + b)
    }

    /// A gathered write that fails reports the path and the errno.
    @Test func failedGatheredWriteThrowsTheErrno() throws {
        let directory = TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let file = try StorageFile(path: directory.child("file"), flags: O_RDWR | O_CREAT, io: io)
        io.inject(.error(.noSpace), atCall: 2)
        let bytes: [UInt8] = [1, 2, 3]
        #expect(throws: BasaltError.io(operation: "write", path: directory.child("file"), errno: ENOSPC)) {
            try bytes.withUnsafeBytes { raw in try file.write([raw, raw], at: 0) }
        }
    }

    /// A `FileIO` that implements only `pwrite`, and writes at most `limit` bytes a call:
    /// the seam's default `pwritev` must still put every buffer in place.
    struct PwriteOnlyIO: FileIO {
        let system = SystemFileIO()
        let limit: Int
        func open(_ path: String, flags: Int32, mode: UInt32) throws(Errno) -> Int32 { try system.open(path, flags: flags, mode: mode) }
        func close(_ descriptor: Int32) { system.close(descriptor) }
        func pwrite(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
            try system.pwrite(descriptor, UnsafeRawBufferPointer(rebasing: bytes.prefix(limit)), at: offset)
        }
        func pread(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
            try system.pread(descriptor, into: buffer, at: offset)
        }
        func fdatasync(_ descriptor: Int32) throws(Errno) { try system.fdatasync(descriptor) }
        func fsync(_ descriptor: Int32) throws(Errno) { try system.fsync(descriptor) }
        func ftruncate(_ descriptor: Int32, length: Int64) throws(Errno) { try system.ftruncate(descriptor, length: length) }
        func allocate(_ descriptor: Int32, length: Int64) throws(Errno) { try system.allocate(descriptor, length: length) }
        func rename(_ from: String, to: String) throws(Errno) { try system.rename(from, to: to) }
        func unlink(_ path: String) throws(Errno) { try system.unlink(path) }
    }

    @Test(arguments: [1, 7, 64, 1 << 20])
    func defaultGatheredWriteOfAPwriteOnlySeam(limit: Int) throws {
        let directory = TemporaryDirectory()
        let path = directory.child("file")
        let file = try StorageFile(path: path, flags: O_RDWR | O_CREAT, io: PwriteOnlyIO(limit: limit))
        var random = SeededGenerator(seed: 0x5707_0002)
        let parts = [random.bytes(8), random.bytes(0), random.bytes(100), random.bytes(13)]
        try parts[0].withUnsafeBytes { a in
            try parts[1].withUnsafeBytes { b in
                try parts[2].withUnsafeBytes { c in
                    try parts[3].withUnsafeBytes { d in try file.write([a, b, c, d], at: 3) }
                }
            }
        }
        #expect(Array(readFile(path)[3...]) == parts.flatMap { $0 })
    }
}
