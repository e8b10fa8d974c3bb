import NIOCore

/// DeleteRecords response (key 21), versions 0–2 (flexible from v2).
///
/// ```
/// throttle_time_ms  int32
/// topics            [] { name string,
///                        partitions [] { partition_index int32, low_watermark int64, error_code int16 } }
/// ```
public struct DeleteRecordsResponse: Sendable, Equatable {
    /// The outcome for one partition.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// The partition's log start offset after the deletion, or −1 on error.
        public var lowWatermark: Int64
        /// The error, or none.
        public var errorCode: KafkaErrorCode

        /// Creates a partition result.
        public init(partitionIndex: Int32, lowWatermark: Int64, errorCode: KafkaErrorCode = .noError) {
            self.partitionIndex = partitionIndex
            self.lowWatermark = lowWatermark
            self.errorCode = errorCode
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            lowWatermark = try buffer.readKafkaInt64()
            errorCode = try buffer.readKafkaErrorCode()
            if ApiKey.deleteRecords.isFlexible(version) { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaInt64(lowWatermark)
            buffer.writeKafkaErrorCode(errorCode)
            if ApiKey.deleteRecords.isFlexible(version) { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// One topic's partition results.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Its partitions.
        public var partitions: [Partition]

        /// Creates a topic result.
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.deleteRecords.isFlexible(version)
            name = try buffer.readKafkaString(compact: flexible)
            partitions = try buffer.readKafkaArray(version: version, compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.deleteRecords.isFlexible(version)
            try buffer.writeKafkaString(name, compact: flexible)
            try buffer.writeKafkaArray(partitions, version: version, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Throttle time.
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
        guard ApiKey.deleteRecords.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteRecords, version: version, correlationId: 0)
        }
        let flexible = ApiKey.deleteRecords.isFlexible(version)
        throttleTimeMs = try buffer.readKafkaInt32()
        topics = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.deleteRecords.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteRecords, version: version)
        }
        let flexible = ApiKey.deleteRecords.isFlexible(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(topics, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
