import NIOCore

/// OffsetFetch response (key 9), versions 0–5 (non-flexible; v0 and v1 have the same layout:
/// Kafka read v0 from ZooKeeper, Basalt answers both from the group coordinator).
///
/// ```
/// throttle_time_ms  int32  v3+
/// topics            [] { name string, partitions [] { partition_index int32,
///                       committed_offset int64, committed_leader_epoch int32 v5,
///                       metadata string?, error_code int16 } }
/// error_code        int16  v2+
/// ```
public struct OffsetFetchResponse: Sendable, Equatable {
    /// The committed offset of one partition.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// Committed offset, or −1 if none.
        public var committedOffset: Int64
        /// Leader epoch of the committed offset (v5; −1 = unknown, and before v5).
        public var committedLeaderEpoch: Int32
        /// Client metadata committed with the offset.
        public var metadata: String?
        /// Partition-level error.
        public var errorCode: KafkaErrorCode

        /// Creates a partition entry.
        public init(
            partitionIndex: Int32,
            committedOffset: Int64,
            committedLeaderEpoch: Int32 = -1,
            metadata: String? = nil,
            errorCode: KafkaErrorCode = .noError
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.metadata = metadata
            self.errorCode = errorCode
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            committedOffset = try buffer.readKafkaInt64()
            committedLeaderEpoch = version >= 5 ? try buffer.readKafkaInt32() : -1
            metadata = try buffer.readKafkaNullableString()
            errorCode = try buffer.readKafkaErrorCode()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaInt64(committedOffset)
            if version >= 5 {
                buffer.writeKafkaInt32(committedLeaderEpoch)
            }
            try buffer.writeKafkaNullableString(metadata)
            buffer.writeKafkaErrorCode(errorCode)
        }
    }

    /// The committed offsets of one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Per-partition entries.
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

    /// Throttle time (v3+; 0 before).
    public var throttleTimeMs: Int32
    /// Per-topic entries.
    public var topics: [Topic]
    /// Top-level error (v2+; `noError` before).
    public var errorCode: KafkaErrorCode

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, topics: [Topic], errorCode: KafkaErrorCode = .noError) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
        self.errorCode = errorCode
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.offsetFetch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetFetch, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 3 ? try buffer.readKafkaInt32() : 0
        topics = try buffer.readKafkaArray(version: version)
        errorCode = version >= 2 ? try buffer.readKafkaErrorCode() : .noError
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.offsetFetch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetFetch, version: version)
        }
        if version >= 3 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        try buffer.writeKafkaArray(topics, version: version)
        if version >= 2 {
            buffer.writeKafkaErrorCode(errorCode)
        }
    }
}
