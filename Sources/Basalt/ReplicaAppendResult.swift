/// What ``PartitionLog/appendAsFollower(_:)`` appended.
public struct ReplicaAppendResult: Sendable, Hashable {
    /// Base offset of the first batch; the log end before the append.
    public let firstOffset: Int64
    /// Last offset of the last batch; `firstOffset - 1` when nothing was appended.
    public let lastOffset: Int64
    /// The header of every batch appended, in order: what a broker applies to its
    /// ``ProducerStateTable`` (``ProducerStateTable/apply(_:)``) and what it reports.
    public let headers: [RecordBatchHeader]
}
