import Glibc

/// The store's small files (topic descriptions, cursors, checkpoints, a broker's
/// cluster id and producer-id block): replaced so that a crash leaves either the old or
/// the new content, and read back within a size limit.
///
/// ``replace(_:with:io:)`` writes a temporary file beside the target (`<path>.tmp`),
/// syncs it, renames it over the target and syncs the directory, all through the
/// ``FileIO`` seam. A leftover `.tmp` file after a crash is ignored and removed by the
/// file's owner.
///
/// ``read(_:maxBytes:io:)`` never reads more than its limit: a small file that grew
/// (damage, or something else writing there) is reported, not loaded whole into memory.
public enum AtomicFile {
    /// Replaces the file at `path` with `bytes`, atomically and durably.
    ///
    /// Cost: one file write, one `fdatasync`, one `rename` and one directory `fsync`
    /// (about a millisecond on an SSD).
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)`` naming the call and file that
    ///   failed. The target then still holds its old content.
    public static func replace(_ path: String, with bytes: [UInt8], io: any FileIO = SystemFileIO()) throws {
        let temporary = path + ".tmp"
        do {
            let file = try StorageFile(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, io: io)
            try bytes.withUnsafeBytes { try file.write($0, at: 0) }
            try file.sync()
        }
        do throws(Errno) {
            try io.rename(temporary, to: path)
        } catch {
            throw BasaltError.io(operation: "rename", path: temporary, errno: error.code)
        }
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try Directory.sync(directory.isEmpty ? "/" : directory, io: io)
    }

    /// The whole content of the file at `path`, or nil when there is no such file.
    ///
    /// - Parameter maxBytes: the most the file may hold. Memory used is at most this
    ///   (plus one byte), whatever the file's size.
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` at byte `maxBytes`
    ///   when the file is larger; ``BasaltError/io(operation:path:errno:)`` when it
    ///   cannot be opened (other than `ENOENT`) or read.
    public static func read(_ path: String, maxBytes: Int, io: any FileIO = SystemFileIO()) throws -> [UInt8]? {
        precondition(maxBytes >= 0, "a negative size limit")
        let file: StorageFile
        do {
            file = try StorageFile(path: path, flags: O_RDONLY, io: io)
        } catch BasaltError.io(_, _, ENOENT) {
            return nil
        }
        let size = try file.size()
        guard size <= Int64(maxBytes) else { throw tooLarge(path, bytes: size, maxBytes: maxBytes) }
        // One byte more than the size seen, so a file that grew since `fstat` is noticed.
        let bytes = try file.read(count: Int(size) + 1, at: 0)
        guard bytes.count <= maxBytes else { throw tooLarge(path, bytes: Int64(bytes.count), maxBytes: maxBytes) }
        return bytes
    }

    private static func tooLarge(_ path: String, bytes: Int64, maxBytes: Int) -> BasaltError {
        .corruptLog(file: path, position: Int64(maxBytes),
                    reason: "the file holds \(bytes) bytes or more, more than the \(maxBytes) it may hold")
    }
}
