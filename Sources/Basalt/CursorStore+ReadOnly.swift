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
        try FileCatalog.read(directory: directory, leftoverSuffix: ".tmp", maxFileBytes: maxFileBytes,
                             reason: "not a cursor file of version 1") { bytes, path in
            GroupFile.decode(bytes).map { GroupCommits(group: $0.group, offsets: $0.committedOffsets, file: path) }
        }
    }
}
