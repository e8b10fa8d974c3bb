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
