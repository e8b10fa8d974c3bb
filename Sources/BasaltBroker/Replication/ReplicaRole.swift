/// What this broker's replica of a partition does, as etcd's partition state says.
enum ReplicaRole: Sendable, Equatable {
    /// Leads in `leaderEpoch`; the tracker follows its followers.
    case leader(LeaderReplicaTracker)
    /// Follows `leader` in `leaderEpoch`.
    case follower(leader: Int32)
    /// No leader is alive (or this broker no longer hosts the partition).
    case offline
}

/// A partition's role with the state it was derived from.
struct ReplicaAssignmentState: Sendable, Equatable {
    var role: ReplicaRole
    var leaderEpoch: Int32
    var replicas: [Int32]
    /// The etcd revision of the partition state this role follows; ISR changes compare it.
    var stateRevision: Int64
    var state: PartitionState
}
