/// A topic's replication settings: its own values where its configs set them, the
/// cluster's defaults otherwise.
struct ReplicationSettings: Equatable, Sendable {
    /// Smallest ISR with which an acks=all produce succeeds.
    var minInSyncReplicas: Int
    /// Whether a replica outside the ISR may lead.
    var uncleanLeaderElection: Bool

    /// The settings of a topic whose configs are `configs` (already validated by
    /// ``TopicSettings/apply(_:to:replicated:)``; a value that does not parse falls back to
    /// the default).
    init(configs: [String: String], defaults: ClusterConfiguration) {
        minInSyncReplicas = configs["min.insync.replicas"].flatMap(Int.init) ?? defaults.minInSyncReplicas
        uncleanLeaderElection = configs["unclean.leader.election.enable"].map { $0 == "true" } ?? defaults.uncleanLeaderElection
    }
}
