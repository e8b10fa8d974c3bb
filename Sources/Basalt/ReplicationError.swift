/// Failures of the replication paths of a ``PartitionLog``: appending a leader's batches
/// as a follower, truncating, and the checkpoint files replication keeps.
///
/// Every case names the partition (its directory's last component, such as `orders-0`)
/// or the file, and the offset or line, so an operator knows where to look.
public enum ReplicationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A leader's batch does not start where the follower's log ends: a gap when
    /// `baseOffset` is larger than `expectedOffset`, an overlap when it is smaller.
    case nonContiguousBatch(partition: String, expectedOffset: Int64, baseOffset: Int64)
    /// A leader's batch at `offset` (where it was expected to start), `position` bytes into
    /// what was handed to ``PartitionLog/appendAsFollower(_:)``, failed validation:
    /// `cause` is the bad magic, length, truncation or CRC mismatch.
    case invalidReplicaBatch(partition: String, offset: Int64, position: Int, cause: BasaltError)
    /// An append that was waiting for its `fdatasync` was cut off by
    /// ``PartitionLog/truncate(to:)`` before it was acknowledged; `offset` is the new log end.
    case truncated(partition: String, offset: Int64)
    /// A replication checkpoint file (`leader-epoch-checkpoint`, `high-watermark`) is
    /// damaged. `line` is 1-based; 0 means the file as a whole.
    case corruptCheckpoint(file: String, line: Int, reason: String)

    /// A one-line message naming the partition or file and the offset or line.
    public var description: String {
        switch self {
        case .nonContiguousBatch(let partition, let expected, let base):
            "\(partition): replicated batch starts at offset \(base), the log ends at \(expected) (\(base > expected ? "gap" : "overlap"))"
        case .invalidReplicaBatch(let partition, let offset, let position, let cause):
            "\(partition): replicated batch at offset \(offset) (byte \(position) of the fetched data): \(cause)"
        case .truncated(let partition, let offset):
            "\(partition): the log was truncated to offset \(offset) before the append was durable"
        case .corruptCheckpoint(let file, let line, let reason):
            "corrupt checkpoint \(file)\(line > 0 ? " line \(line)" : ""): \(reason)"
        }
    }
}
