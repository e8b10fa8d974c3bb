import Glibc

/// Reads a small replication checkpoint file whole, bounded by
/// ``CheckpointText/maxFileBytes``.
enum CheckpointFileReader {
    /// The file's bytes, or nil when it does not exist. A file longer than the bound is
    /// returned cut one byte past it, so the parser reports it as too long.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)`` for any failure but a missing file.
    static func contents(of path: String, io: any FileIO) throws -> [UInt8]? {
        let file: StorageFile
        do {
            file = try StorageFile(path: path, flags: O_RDONLY, io: io)
        } catch BasaltError.io(_, _, let code) where code == ENOENT {
            return nil
        }
        return try file.read(count: CheckpointText.maxFileBytes + 1, at: 0)
    }
}
