import Basalt

/// What a path given on the command line is.
enum InspectTarget: Equatable {
    /// A store directory (Basalt's, or a Kafka log directory): partition directories
    /// below it.
    case store(String)
    /// A partition directory: segments in it.
    case partition(String)
    /// A `.log` segment file.
    case log(String)
    /// A `.index` file.
    case offsetIndex(String)
    /// A `.timeindex` file.
    case timeIndex(String)

    /// Names in a directory that mark a store.
    static let storeMarkers: Set<String> = [Store.lockFileName, Store.topicsDirectoryName, Store.cursorsDirectoryName,
                                            "meta.properties", "recovery-point-offset-checkpoint"]

    /// Sorts out `path` by file type, extension and directory contents.
    ///
    /// - Throws: ``InspectError/notFound(path:)``, ``InspectError/permissionDenied(path:)``,
    ///   ``InspectError/unsupportedFile(path:reason:)`` for a file that is not a
    ///   segment file.
    static func classify(_ rawPath: String) throws(InspectError) -> InspectTarget {
        let path = FileSystem.trimmingTrailingSlashes(rawPath)
        let info = try FileSystem.existing(path)
        switch info.kind {
        case .regular:
            let name = FileSystem.baseName(path)
            guard let dot = name.lastIndex(of: ".") else {
                throw InspectError.unsupportedFile(path: path, reason: "not a segment file (expected .log, .index or .timeindex)")
            }
            switch String(name[name.index(after: dot)...]) {
            case SegmentFileName.log: return .log(path)
            case SegmentFileName.offsetIndex: return .offsetIndex(path)
            case SegmentFileName.timeIndex: return .timeIndex(path)
            case let other:
                throw InspectError.unsupportedFile(path: path, reason: "a .\(other) file is not a segment file (expected .log, .index or .timeindex)")
            }
        case .directory:
            let names = try FileSystem.entries(path)
            if names.contains(where: storeMarkers.contains) { return .store(path) }
            if names.contains(where: { SegmentFileName.parse($0) != nil || $0 == PartitionCheckpointFile.fileName }) {
                return .partition(path)
            }
            if PartitionDirectory.topicPartition(fromName: FileSystem.baseName(path)) != nil { return .partition(path) }
            return .store(path)
        case .symbolicLink, .other:
            throw InspectError.notARegularFile(path: path)
        }
    }
}
