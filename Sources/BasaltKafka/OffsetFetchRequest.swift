import NIOCore

/// OffsetFetch request (key 9), versions 0–5 (non-flexible; v0 and v1 have the same layout:
/// Kafka read v0 from ZooKeeper, Basalt answers both from the group coordinator).
///
/// ```
/// group_id  string
/// topics    [] { name string, partition_indexes []int32 }   nullable v2+: null = all partitions
/// ```
public struct OffsetFetchRequest: Sendable, Equatable {
    /// The partitions to look up of one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Partition numbers.
        public var partitionIndexes: [Int32]

        /// Creates a topic entry.
        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            partitionIndexes = try buffer.readKafkaInt32Array()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaInt32Array(partitionIndexes)
        }
    }

    /// Group id.
    public var groupId: String
    /// Topics to look up, or `nil` (v2+) for every partition the group has committed.
    /// In v1 `nil` is encoded as an empty list.
    public var topics: [Topic]?

    /// Creates a request.
    public init(groupId: String, topics: [Topic]?) {
        self.groupId = groupId
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.offsetFetch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetFetch, version: version, correlationId: 0)
        }
        groupId = try buffer.readKafkaString()
        if version >= 2 {
            topics = try buffer.readKafkaNullableArray(version: version)
        } else {
            topics = try buffer.readKafkaArray(version: version)
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.offsetFetch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetFetch, version: version)
        }
        try buffer.writeKafkaString(groupId)
        if version >= 2 {
            try buffer.writeKafkaNullableArray(topics, version: version)
        } else {
            try buffer.writeKafkaArray(topics ?? [], version: version)
        }
    }
}
