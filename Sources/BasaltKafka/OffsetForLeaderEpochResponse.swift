import NIOCore

/// OffsetForLeaderEpoch response (key 23), versions 0–3 (non-flexible).
///
/// ```
/// throttle_time_ms  int32   v2+
/// topics            [] { topic string, partitions [] { error_code int16, partition int32,
///                       leader_epoch int32 v1+, end_offset int64 } }
/// ```
public struct OffsetForLeaderEpochResponse: Sendable, Equatable {
    /// The answer for one partition.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition-level error.
        public var errorCode: KafkaErrorCode
        /// Partition number.
        public var partition: Int32
        /// Largest epoch ≤ the requested one, or −1.
        public var leaderEpoch: Int32
        /// End offset of that epoch, or −1.
        public var endOffset: Int64

        /// Creates a partition entry.
        public init(errorCode: KafkaErrorCode = .noError, partition: Int32, leaderEpoch: Int32, endOffset: Int64) {
            self.errorCode = errorCode
            self.partition = partition
            self.leaderEpoch = leaderEpoch
            self.endOffset = endOffset
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readKafkaErrorCode()
            partition = try buffer.readKafkaInt32()
            leaderEpoch = version >= 1 ? try buffer.readKafkaInt32() : -1
            endOffset = try buffer.readKafkaInt64()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaErrorCode(errorCode)
            buffer.writeKafkaInt32(partition)
            if version >= 1 {
                buffer.writeKafkaInt32(leaderEpoch)
            }
            buffer.writeKafkaInt64(endOffset)
        }
    }

    /// The answers for one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var topic: String
        /// Per-partition answers.
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

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Per-topic answers.
    public var topics: [Topic]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.offsetForLeaderEpoch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetForLeaderEpoch, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 2 ? try buffer.readKafkaInt32() : 0
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.offsetForLeaderEpoch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetForLeaderEpoch, version: version)
        }
        if version >= 2 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        try buffer.writeKafkaArray(topics, version: version)
    }
}
