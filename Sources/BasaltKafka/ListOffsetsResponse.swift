import NIOCore

/// ListOffsets response (key 2), versions 0–5 (non-flexible).
///
/// ```
/// throttle_time_ms  int32  v2+
/// topics            [] { name string, partitions [] { partition_index int32,
///                       error_code int16, old_style_offsets []int64 v0,
///                       timestamp int64 v1+, offset int64 v1+, leader_epoch int32 v4+ } }
/// ```
public struct ListOffsetsResponse: Sendable, Equatable {
    /// The result for one partition.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// Partition-level error.
        public var errorCode: KafkaErrorCode
        /// The offsets found, newest first (v0 only; empty for later versions).
        public var oldStyleOffsets: [Int64]
        /// Timestamp of the found record, or −1 for latest/earliest queries (v1+; −1 before).
        public var timestamp: Int64
        /// The found offset, or −1 (v1+; −1 before).
        public var offset: Int64
        /// Leader epoch of the found offset (v4+; −1 before).
        public var leaderEpoch: Int32

        /// Creates a partition result.
        public init(
            partitionIndex: Int32,
            errorCode: KafkaErrorCode = .noError,
            timestamp: Int64 = -1,
            offset: Int64,
            leaderEpoch: Int32 = -1,
            oldStyleOffsets: [Int64] = []
        ) {
            self.oldStyleOffsets = oldStyleOffsets
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.timestamp = timestamp
            self.offset = offset
            self.leaderEpoch = leaderEpoch
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            errorCode = try buffer.readKafkaErrorCode()
            if version == 0 {
                oldStyleOffsets = try buffer.readKafkaInt64Array()
                timestamp = -1
                offset = -1
            } else {
                oldStyleOffsets = []
                timestamp = try buffer.readKafkaInt64()
                offset = try buffer.readKafkaInt64()
            }
            leaderEpoch = version >= 4 ? try buffer.readKafkaInt32() : -1
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaErrorCode(errorCode)
            if version == 0 {
                try buffer.writeKafkaInt64Array(oldStyleOffsets)
            } else {
                buffer.writeKafkaInt64(timestamp)
                buffer.writeKafkaInt64(offset)
            }
            if version >= 4 {
                buffer.writeKafkaInt32(leaderEpoch)
            }
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

    /// Throttle time (v2+; 0 before).
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
        guard ApiKey.listOffsets.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .listOffsets, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 2 ? try buffer.readKafkaInt32() : 0
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.listOffsets.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .listOffsets, version: version)
        }
        if version >= 2 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        try buffer.writeKafkaArray(topics, version: version)
    }
}
