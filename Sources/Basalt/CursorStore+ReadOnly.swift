import Foundation

/// Read-only access to a store's `cursors/` directory, for tools that inspect a store
/// without opening it (``CursorStore/init(directory:io:)`` creates the directory and
/// removes leftover temporary files; this changes nothing).
extension CursorStore {
    /// One consumer group's committed offsets, as read from its file.
    public struct GroupCommits: Sendable {
        /// The group name.
        public var group: String
        /// Committed offsets by partition.
        public var offsets: [TopicPartition: CommittedOffset]
        /// The file they were read from.
        public var file: String
    }

    /// Reads every group file in the cursor directory `directory`. A file that
    /// ``CursorStore/init(directory:io:)`` would refuse is listed in
    /// ``FileCatalog/damaged``.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)`` when the directory exists
    ///   but cannot be listed. An absent directory is an empty catalog.
    public static func readGroups(directory: String) throws -> FileCatalog<GroupCommits> {
        var catalog = FileCatalog<GroupCommits>()
        guard Directory.exists(directory) else { return catalog }
        for name in try Directory.entries(directory) {
            let path = directory + "/" + name
            if name.hasSuffix(".tmp") {
                catalog.leftovers.append(path)
                continue
            }
            guard name.hasSuffix(".json") else {
                catalog.others.append(path)
                continue
            }
            do {
                let file = try StorageFile(readingFrom: path)
                let bytes = try file.read(count: Int(min(try file.size(), 64 << 20)), at: 0)
                guard let decoded = GroupFile.decode(bytes) else {
                    throw BasaltError.corruptLog(file: path, position: 0, reason: "not a cursor file of version 1")
                }
                catalog.items.append(GroupCommits(group: decoded.group, offsets: decoded.committedOffsets, file: path))
            } catch let error as BasaltError {
                catalog.damaged.append(.init(path: path, error: error))
            }
        }
        return catalog
    }
}
