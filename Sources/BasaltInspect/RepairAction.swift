/// One step of a repair. Nothing is ever deleted: files and cut-off bytes go to the
/// partition's quarantine directory.
public enum RepairAction: Sendable, Equatable {
    /// Move a file (or directory) into the quarantine directory.
    case moveAside(path: String, reason: String)
    /// Copy bytes `[position, end)` of a `.log` into the quarantine directory, then cut
    /// the file to `position`.
    case truncate(path: String, position: Int64, cutBytes: Int64, reason: String)
    /// Rename a segment's `.log` to the name its first offset calls for.
    case rename(from: String, to: String, reason: String)
    /// Replace `partition.checkpoint` with one that makes the next open recover from
    /// `recoveryPoint` (keeping the log start offset).
    case rewriteCheckpoint(recoveryPoint: Int64, logStartOffset: Int64)
    /// Open the partition with Basalt (`PartitionLog`), which rebuilds the indexes of
    /// every segment from `fromOffset` on out of the log, then close it cleanly.
    case rebuildIndexes(fromOffset: Int64, reason: String)

    /// The step as one line.
    public var text: String {
        switch self {
        case .moveAside(let path, let reason):
            "move \(FileSystem.baseName(path)) to quarantine: \(reason)"
        case .truncate(let path, let position, let cutBytes, let reason):
            "cut \(FileSystem.baseName(path)) at byte \(position) (the last \(cutBytes) bytes go to quarantine): \(reason)"
        case .rename(let from, let to, let reason):
            "rename \(FileSystem.baseName(from)) to \(FileSystem.baseName(to)): \(reason)"
        case .rewriteCheckpoint(let recoveryPoint, let logStartOffset):
            "rewrite partition.checkpoint: recover from offset \(recoveryPoint) on next open, keep log start offset \(logStartOffset)"
        case .rebuildIndexes(let fromOffset, let reason):
            "open and close the partition with Basalt, rebuilding the indexes of segments from offset \(fromOffset) on: \(reason)"
        }
    }
}
