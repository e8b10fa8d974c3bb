/// Reads the entries of a segment's `.index` or `.timeindex` file without mapping or
/// changing it, a fixed-size chunk at a time, so memory stays bounded whatever the
/// file's size. Entry layouts are those of ``OffsetIndexEntry`` and ``TimeIndexEntry``;
/// this type only adds read-only, random access for tools that inspect a store.
///
/// The entry count is the file length divided by `Entry.size`, as when the index is
/// opened. A file whose length is not whole entries has ``trailingBytes`` left over,
/// which no entry covers. While a segment is active its index file is preallocated and
/// zero-filled past the entries in use; those zero slots read as zero entries.
public struct IndexFileReader<Entry: IndexEntry> {
    /// The file the entries are read from.
    public let file: StorageFile
    /// Length of the file in bytes when the reader was created.
    public let fileSize: Int64
    private var chunk: [UInt8]
    private var chunkFirstSlot = 0
    private var chunkEntries = 0

    /// Whole entries in the file.
    public var entryCount: Int { Int(fileSize / Int64(Entry.size)) }
    /// Bytes after the last whole entry; 0 for a well-formed index.
    public var trailingBytes: Int { Int(fileSize % Int64(Entry.size)) }

    /// Reads entries of `file`, `chunkEntries` at a time.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)`` when the file's size cannot
    ///   be read.
    public init(file: StorageFile, chunkEntries: Int = 8192) throws {
        precondition(chunkEntries > 0, "a chunk holds at least one entry")
        self.file = file
        self.fileSize = try file.size()
        self.chunk = [UInt8](repeating: 0, count: chunkEntries * Entry.size)
    }

    /// Opens `path` read-only and reads its entries.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)``.
    public init(path: String, chunkEntries: Int = 8192) throws {
        try self.init(file: StorageFile(readingFrom: path), chunkEntries: chunkEntries)
    }

    /// The entry in `slot`, which must be below ``entryCount``. Reads the chunk holding
    /// the slot when it is not the one in memory, so walking slots in order, forwards or
    /// backwards, costs one read per chunk.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)``, also when the file shrank
    ///   below the slot since the reader was created.
    public mutating func entry(at slot: Int) throws -> Entry {
        precondition(slot >= 0 && slot < entryCount, "index slot outside the file")
        if slot < chunkFirstSlot || slot >= chunkFirstSlot + chunkEntries {
            let perChunk = chunk.count / Entry.size
            let first = slot / perChunk * perChunk
            let wanted = min(perChunk, entryCount - first) * Entry.size
            let file = self.file
            let got = try chunk.withUnsafeMutableBytes { raw in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[..<wanted]), at: Int64(first * Entry.size))
            }
            chunkFirstSlot = first
            chunkEntries = got / Entry.size
            guard slot < first + chunkEntries else {
                throw BasaltError.io(operation: "read (index file shrank)", path: file.path, errno: 5)
            }
        }
        let offset = (slot - chunkFirstSlot) * Entry.size
        return chunk.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { preconditionFailure("an index chunk is never empty") }
            return Entry(loading: base + offset)
        }
    }
}
