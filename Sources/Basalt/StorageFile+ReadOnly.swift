import Glibc

extension StorageFile {
    /// Opens the file at `path` for reading only, through the system ``FileIO``: what
    /// tools that inspect a store (and must never change it) use with ``SegmentScanner``
    /// and ``IndexFileReader``.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)`` when `open(2)` fails
    ///   (`ENOENT`, `EACCES`, …). Opening a directory succeeds on Linux; reads from it
    ///   then fail with `EISDIR`, so callers check the file type first.
    public convenience init(readingFrom path: String) throws {
        try self.init(path: path, flags: O_RDONLY, io: SystemFileIO())
    }
}
