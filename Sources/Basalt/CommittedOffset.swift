/// A consumer group's committed position in one partition.
public struct CommittedOffset: Sendable, Hashable, Codable {
    /// The offset of the next record the group will read.
    public var offset: Int64
    /// Free-form text stored with the offset (Kafka's commit metadata).
    public var metadata: String
    /// The leader epoch of the record before `offset`, as the client saw it (Kafka's
    /// `committed_leader_epoch`), or `nil` when the client did not send one. Clients
    /// use it after a leader change to check that the committed position is still on
    /// the log they read.
    public var leaderEpoch: Int32?

    /// Creates a committed offset.
    public init(offset: Int64, metadata: String = "", leaderEpoch: Int32? = nil) {
        self.offset = offset
        self.metadata = metadata
        self.leaderEpoch = leaderEpoch
    }
}
