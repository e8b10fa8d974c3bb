import NIOCore

/// OffsetCommit response (key 8), versions 0–7 (non-flexible).
///
/// ```
/// throttle_time_ms  int32  v3+
/// topics            [] { name string, partitions [] { partition_index int32, error_code int16 } }
/// ```
public struct OffsetCommitResponse: Sendable, Equatable {
    /// The result for one partition.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// Partition-level error.
        public var errorCode: KafkaErrorCode

        /// Creates a partition result.
        public init(partitionIndex: Int32, errorCode: KafkaErrorCode = .noError) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            errorCode = try buffer.readKafkaErrorCode()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaErrorCode(errorCode)
        }
    }

    /// The results for one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Per-partition results.
        public var partitions: [Partition]

        /// Creates a topic result.
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            partitions = try buffer.readKafkaArray(version: version)
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaArray(partitions, version: version)
        }
    }

    /// Throttle time (v3+; 0 before).
    public var throttleTimeMs: Int32
    /// Per-topic results.
    public var topics: [Topic]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.offsetCommit.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetCommit, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 3 ? try buffer.readKafkaInt32() : 0
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.offsetCommit.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetCommit, version: version)
        }
        if version >= 3 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        try buffer.writeKafkaArray(topics, version: version)
    }
}
