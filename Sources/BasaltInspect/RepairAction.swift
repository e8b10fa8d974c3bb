import Basalt

/// One step of a repair. Nothing is ever deleted: files and cut-off bytes go to the
/// quarantine directory of the partition (or, for a store's own files, of the store).
public enum RepairAction: Sendable, Equatable {
    /// Move a file (or directory) into the quarantine directory, at the same path
    /// relative to it as to the directory being repaired.
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
    /// Write `topics/<topic>.json` anew, describing `partitions` partitions with the
    /// default settings, for a description that could not be read.
    case writeTopicDescription(path: String, topic: String, partitions: Int32, reason: String)
    /// Copy a group's cursor file into the quarantine directory, then lower its
    /// committed offset for `topicPartition` from `from` to `to`, the log end.
    case lowerCommittedOffset(file: String, group: String, topicPartition: TopicPartition, from: Int64, to: Int64)

    /// The step as one line, naming files by their name in their directory.
    public var text: String { text(in: nil) }

    /// The step as one line, naming files by their path relative to `root` (the store
    /// being repaired), or by their name in their directory when `root` is nil.
    public func text(in root: String?) -> String {
        func name(_ path: String) -> String {
            if let root, path.hasPrefix(root + "/") { return String(path.dropFirst(root.count + 1)) }
            return FileSystem.baseName(path)
        }
        switch self {
        case .moveAside(let path, let reason):
            return "move \(name(path)) to quarantine: \(reason)"
        case .truncate(let path, let position, let cutBytes, let reason):
            return "cut \(name(path)) at byte \(position) (the last \(cutBytes) bytes go to quarantine): \(reason)"
        case .rename(let from, let to, let reason):
            return "rename \(name(from)) to \(name(to)): \(reason)"
        case .rewriteCheckpoint(let recoveryPoint, let logStartOffset):
            return "rewrite partition.checkpoint: recover from offset \(recoveryPoint) on next open, keep log start offset \(logStartOffset)"
        case .rebuildIndexes(let fromOffset, let reason):
            return "open and close the partition with Basalt, rebuilding the indexes of segments from offset \(fromOffset) on: \(reason)"
        case .writeTopicDescription(let path, let topic, let partitions, let reason):
            return "write \(name(path)) anew: topic \(topic) with \(partitions) partition\(partitions == 1 ? "" : "s") and the default settings (\(reason))"
        case .lowerCommittedOffset(let file, let group, let topicPartition, let from, let to):
            return "lower group \(group)'s committed offset in \(topicPartition) from \(from) to \(to), where the log ends (\(name(file)) is copied to quarantine first)"
        }
    }
}
