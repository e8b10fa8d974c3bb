import Basalt

/// What verifying a store found out: its partitions' facts, topic descriptions and
/// consumer cursors.
struct StoreFacts: Sendable {
    var path: String
    var partitions: [PartitionFacts] = []
    var topics: [TopicDescription] = []
    var groups: [CursorStore.GroupCommits] = []
    /// Whether the directory has Basalt's `topics/` (else it is read as a Kafka log dir).
    var isBasalt = false

    /// The facts of one partition, if the store has it.
    func partition(_ topicPartition: TopicPartition) -> PartitionFacts? {
        partitions.first { $0.topicPartition == topicPartition }
    }
}
