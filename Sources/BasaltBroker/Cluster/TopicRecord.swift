/// A topic of the cluster under `topics/<name>`: how many partitions, their replicas, and
/// the topic's settings (Kafka's names and string values, as CreateTopics carries them).
///
/// CreateTopics on any broker writes it with `assignment` empty unless the request named
/// replicas; the controller fills the assignment in and creates the partition states.
/// CreatePartitions raises `partitions` above the assignment's count; the controller
/// places the added partitions the same way.
struct TopicRecord: Codable, Equatable, Sendable {
    var partitions: Int32
    var replicationFactor: Int
    /// Replicas of each partition, by partition; empty until assigned.
    var assignment: [[Int32]]
    var configs: [String: String]

    var isAssigned: Bool { assignment.count == Int(partitions) }

    func validate(key: String) throws(ClusterRecordError) {
        guard (1...10_000).contains(partitions) else {
            throw .malformed(key: key, reason: "partition count \(partitions) outside 1...10000")
        }
        guard (1...PartitionState.maxReplicas).contains(replicationFactor) else {
            throw .malformed(key: key, reason: "replication factor \(replicationFactor) outside 1...\(PartitionState.maxReplicas)")
        }
        // Fewer assignments than partitions: a new topic (none yet) or a grown one (the
        // added partitions) waiting for the controller to place them.
        guard assignment.count <= Int(partitions) else {
            throw .malformed(key: key, reason: "\(assignment.count) assignments for \(partitions) partitions")
        }
        for replicas in assignment {
            guard !replicas.isEmpty, replicas.count <= PartitionState.maxReplicas, Set(replicas).count == replicas.count,
                  replicas.allSatisfy({ $0 >= 0 }) else {
                throw .malformed(key: key, reason: "replica list \(replicas.prefix(8)) is invalid")
            }
        }
        guard configs.count <= 256 else { throw .malformed(key: key, reason: "\(configs.count) configs") }
    }
}
