/// What a read-only pass over one of the store's small-file directories (`topics/`,
/// `cursors/`) found, for tools that inspect a store without opening it.
public struct FileCatalog<Item: Sendable>: Sendable {
    /// A file that is named like one the directory holds but cannot be read as one.
    public struct DamagedFile: Sendable {
        /// The file's path.
        public var path: String
        /// Why it cannot be read.
        public var error: BasaltError
    }

    /// The files read successfully, sorted by file name.
    public var items: [Item] = []
    /// Files named like the directory's files that failed to read or decode.
    public var damaged: [DamagedFile] = []
    /// Temporary files of an interrupted atomic replace (`*.tmp`), which the store
    /// removes when it opens. Paths.
    public var leftovers: [String] = []
    /// Entries the store neither reads nor writes. Paths.
    public var others: [String] = []
}

extension FileCatalog {
    /// Reads every `.json` file of `directory` (an absent directory is an empty catalog),
    /// refusing any larger than `maxFileBytes`, and sorts what it finds: `decode` turns a file's
    /// bytes into an item or returns nil, which lists the file as damaged with `reason`.
    /// Names ending in `leftoverSuffix` are leftovers; everything else is listed in
    /// ``others``.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)`` when the directory exists but
    ///   cannot be listed.
    static func read(
        directory: String, leftoverSuffix: String, maxFileBytes: Int, reason: String,
        decode: (_ bytes: [UInt8], _ path: String) -> Item?
    ) throws -> FileCatalog {
        var catalog = FileCatalog()
        guard Directory.exists(directory) else { return catalog }
        for name in try Directory.entries(directory) {
            let path = directory + "/" + name
            if name.hasSuffix(leftoverSuffix) {
                catalog.leftovers.append(path)
                continue
            }
            guard name.hasSuffix(".json") else {
                catalog.others.append(path)
                continue
            }
            do {
                // The same bounded read the store opens it with, so a file too large for
                // the store is listed as damaged for that reason. Absent only if removed
                // since the listing: read as empty.
                let bytes = try AtomicFile.read(path, maxBytes: maxFileBytes) ?? []
                guard let item = decode(bytes, path) else {
                    throw BasaltError.corruptLog(file: path, position: 0, reason: reason)
                }
                catalog.items.append(item)
            } catch let error as BasaltError {
                catalog.damaged.append(.init(path: path, error: error))
            }
        }
        return catalog
    }
}
