/// How far a read may go.
///
/// Consumers read up to the high watermark: records every in-sync replica has. A
/// follower fetching from its leader reads up to the log end. In single-node mode the
/// two are the same (see ``PartitionLog/highWatermark``).
public enum ReadIsolation: Sendable, Hashable {
    /// Up to ``PartitionLog/highWatermark``: only whole batches that end below it.
    case highWatermark
    /// Up to ``PartitionLog/logEndOffset``: what replicas fetch.
    case logEnd
}
