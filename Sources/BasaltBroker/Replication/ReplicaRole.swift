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
    /// The etcd revision of the partition state this role follows; ISR changes compare it.
    var stateRevision: Int64
    /// The partition state as etcd last said it (an ISR change this leader made included).
    var state: PartitionState

    /// The leader epoch of ``state``.
    var leaderEpoch: Int32 { state.leaderEpoch }
    /// The assigned replicas of ``state``.
    var replicas: [Int32] { state.replicas }
}
