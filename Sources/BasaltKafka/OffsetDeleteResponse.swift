import NIOCore

/// OffsetDelete response (key 47), version 0 (non-flexible).
///
/// ```
/// error_code        int16
/// throttle_time_ms  int32
/// topics            [] { name string, partitions [] { partition_index int32, error_code int16 } }
/// ```
public struct OffsetDeleteResponse: Sendable, Equatable {
    /// The outcome for one partition.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// GROUP_SUBSCRIBED_TO_TOPIC, or none.
        public var errorCode: KafkaErrorCode

        /// Creates a partition entry.
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

    /// The outcomes for one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Per-partition outcomes.
        public var partitions: [Partition]

        /// Creates a topic entry.
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

    /// Top-level error, e.g. GROUP_ID_NOT_FOUND or NOT_COORDINATOR.
    public var errorCode: KafkaErrorCode
    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Per-topic outcomes.
    public var topics: [Topic]

    /// Creates a response.
    public init(errorCode: KafkaErrorCode = .noError, throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.errorCode = errorCode
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.offsetDelete.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetDelete, version: version, correlationId: 0)
        }
        errorCode = try buffer.readKafkaErrorCode()
        throttleTimeMs = try buffer.readKafkaInt32()
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.offsetDelete.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetDelete, version: version)
        }
        buffer.writeKafkaErrorCode(errorCode)
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(topics, version: version)
    }
}
