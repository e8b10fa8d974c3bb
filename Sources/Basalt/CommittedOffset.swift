/// A consumer group's committed position in one partition.
public struct CommittedOffset: Sendable, Hashable, Codable {
    /// The offset of the next record the group will read.
    public var offset: Int64
    /// Free-form text stored with the offset (Kafka's commit metadata).
    public var metadata: String

    /// Creates a committed offset.
    public init(offset: Int64, metadata: String = "") {
        self.offset = offset
        self.metadata = metadata
    }
}
