import NIOCore

/// Produce request (key 0), versions 0–8 (non-flexible).
///
/// ```
/// transactional_id  string?    v3+
/// acks              int16      0, 1 or −1
/// timeout_ms        int32
/// topic_data        [] { name string, partition_data [] { index int32, records records? } }
/// ```
/// `records` is carried as a zero-copy slice of the request: the concatenated record batches,
/// exactly as the client sent them, so the broker can validate and append them verbatim.
/// Versions 0–2 carry message sets of magic 0 or 1, which the broker does not store; they are
/// decoded so that it can answer them with an error code (and advertised because librdkafka
/// up to 2.11 only compresses with gzip, snappy or LZ4 when the broker lists Produce v0).
public struct ProduceRequest: Sendable, Equatable {
    /// Records for one partition.
    public struct PartitionData: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var index: Int32
        /// Raw record batches, or `nil` if the client sent null.
        public var records: ByteBuffer?

        /// Creates a partition entry.
        public init(index: Int32, records: ByteBuffer?) {
            self.index = index
            self.records = records
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            index = try buffer.readKafkaInt32()
            records = try buffer.readKafkaNullableBytes()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(index)
            try buffer.writeKafkaNullableBytes(records)
        }
    }

    /// Records for one topic.
    public struct TopicData: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Per-partition records.
        public var partitionData: [PartitionData]

        /// Creates a topic entry.
        public init(name: String, partitionData: [PartitionData]) {
            self.name = name
            self.partitionData = partitionData
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            partitionData = try buffer.readKafkaArray(version: version)
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaArray(partitionData, version: version)
        }
    }

    /// Transactional id, or `nil` for non-transactional producers (always `nil` before v3).
    public var transactionalId: String?
    /// Required acknowledgements: 0 (no response), 1 (leader) or −1 (all in-sync replicas).
    public var acks: Int16
    /// How long the broker may wait for `acks`, in milliseconds.
    public var timeoutMs: Int32
    /// Records per topic.
    public var topicData: [TopicData]

    /// Creates a request.
    public init(transactionalId: String? = nil, acks: Int16, timeoutMs: Int32, topicData: [TopicData]) {
        self.transactionalId = transactionalId
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topicData = topicData
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.produce.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .produce, version: version, correlationId: 0)
        }
        transactionalId = version >= 3 ? try buffer.readKafkaNullableString() : nil
        acks = try buffer.readKafkaInt16()
        timeoutMs = try buffer.readKafkaInt32()
        topicData = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.produce.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .produce, version: version)
        }
        if version >= 3 { try buffer.writeKafkaNullableString(transactionalId) }
        buffer.writeKafkaInt16(acks)
        buffer.writeKafkaInt32(timeoutMs)
        try buffer.writeKafkaArray(topicData, version: version)
    }
}
