import NIOCore

/// OffsetForLeaderEpoch request (key 23), versions 0–3 (non-flexible).
///
/// ```
/// replica_id  int32   v3 (−1 consumer, −2 debug)
/// topics      [] { topic string, partitions [] { partition int32,
///                 current_leader_epoch int32 v2+, leader_epoch int32 } }
/// ```
public struct OffsetForLeaderEpochRequest: Sendable, Equatable {
    /// One partition to look up.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partition: Int32
        /// The client's view of the current leader epoch (−1 = do not check).
        public var currentLeaderEpoch: Int32
        /// The epoch whose end offset is wanted.
        public var leaderEpoch: Int32

        /// Creates a partition entry.
        public init(partition: Int32, currentLeaderEpoch: Int32 = -1, leaderEpoch: Int32) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.leaderEpoch = leaderEpoch
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partition = try buffer.readKafkaInt32()
            currentLeaderEpoch = version >= 2 ? try buffer.readKafkaInt32() : -1
            leaderEpoch = try buffer.readKafkaInt32()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partition)
            if version >= 2 {
                buffer.writeKafkaInt32(currentLeaderEpoch)
            }
            buffer.writeKafkaInt32(leaderEpoch)
        }
    }

    /// The partitions to look up of one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var topic: String
        /// Partitions.
        public var partitions: [Partition]

        /// Creates a topic entry.
        public init(topic: String, partitions: [Partition]) {
            self.topic = topic
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topic = try buffer.readKafkaString()
            partitions = try buffer.readKafkaArray(version: version)
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(topic)
            try buffer.writeKafkaArray(partitions, version: version)
        }
    }

    /// Requesting replica (v3; −2 = debug, the default before v3; −1 = consumer).
    public var replicaId: Int32
    /// Topics to look up.
    public var topics: [Topic]

    /// Creates a request.
    public init(replicaId: Int32 = -2, topics: [Topic]) {
        self.replicaId = replicaId
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.offsetForLeaderEpoch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetForLeaderEpoch, version: version, correlationId: 0)
        }
        replicaId = version >= 3 ? try buffer.readKafkaInt32() : -2
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.offsetForLeaderEpoch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetForLeaderEpoch, version: version)
        }
        if version >= 3 {
            buffer.writeKafkaInt32(replicaId)
        }
        try buffer.writeKafkaArray(topics, version: version)
    }
}
