/// A topic name and a partition number.
public struct TopicPartition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The topic.
    public var topic: String
    /// The partition, from 0.
    public var partition: Int32

    /// Creates a topic-partition.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic-partition`, the partition's directory name.
    public var description: String { "\(topic)-\(partition)" }
}
