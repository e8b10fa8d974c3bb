import NIOCore

/// DescribeProducers response (key 61), version 0 (flexible).
///
/// ```
/// throttle_time_ms  int32
/// topics            [] { name string,
///                        partitions [] { partition_index int32, error_code int16, error_message string?,
///                                        active_producers [] { producer_id int64, producer_epoch int32,
///                                            last_sequence int32, last_timestamp int64,
///                                            coordinator_epoch int32, current_txn_start_offset int64 } } }
/// tagged fields     (also after every struct)
/// ```
public struct DescribeProducersResponse: Sendable, Equatable {
    /// One active producer of a partition.
    public struct Producer: Sendable, Equatable, KafkaCodable {
        /// Producer id.
        public var producerId: Int64
        /// Producer epoch.
        public var producerEpoch: Int32
        /// Last sequence number written, or −1.
        public var lastSequence: Int32
        /// Max timestamp of its last batch, or −1.
        public var lastTimestamp: Int64
        /// Transaction coordinator epoch (−1: no transactions).
        public var coordinatorEpoch: Int32
        /// First offset of its open transaction, or −1.
        public var currentTxnStartOffset: Int64

        /// Creates a producer entry.
        public init(
            producerId: Int64, producerEpoch: Int32, lastSequence: Int32, lastTimestamp: Int64,
            coordinatorEpoch: Int32 = -1, currentTxnStartOffset: Int64 = -1
        ) {
            self.producerId = producerId
            self.producerEpoch = producerEpoch
            self.lastSequence = lastSequence
            self.lastTimestamp = lastTimestamp
            self.coordinatorEpoch = coordinatorEpoch
            self.currentTxnStartOffset = currentTxnStartOffset
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            producerId = try buffer.readKafkaInt64()
            producerEpoch = try buffer.readKafkaInt32()
            lastSequence = try buffer.readKafkaInt32()
            lastTimestamp = try buffer.readKafkaInt64()
            coordinatorEpoch = try buffer.readKafkaInt32()
            currentTxnStartOffset = try buffer.readKafkaInt64()
            try buffer.skipKafkaTaggedFields()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt64(producerId)
            buffer.writeKafkaInt32(producerEpoch)
            buffer.writeKafkaInt32(lastSequence)
            buffer.writeKafkaInt64(lastTimestamp)
            buffer.writeKafkaInt32(coordinatorEpoch)
            buffer.writeKafkaInt64(currentTxnStartOffset)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }

    /// The producers of one partition.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, or none.
        public var errorCode: KafkaErrorCode
        /// Error message, or `nil`.
        public var errorMessage: String?
        /// The active producers.
        public var activeProducers: [Producer]

        /// Creates a partition entry.
        public init(
            partitionIndex: Int32, errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil,
            activeProducers: [Producer]
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.activeProducers = activeProducers
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            errorCode = try buffer.readKafkaErrorCode()
            errorMessage = try buffer.readKafkaNullableString(compact: true)
            activeProducers = try buffer.readKafkaArray(version: version, compact: true)
            try buffer.skipKafkaTaggedFields()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaNullableString(errorMessage, compact: true)
            try buffer.writeKafkaArray(activeProducers, version: version, compact: true)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }

    /// The partitions of one topic.
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
            name = try buffer.readKafkaString(compact: true)
            partitions = try buffer.readKafkaArray(version: version, compact: true)
            try buffer.skipKafkaTaggedFields()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name, compact: true)
            try buffer.writeKafkaArray(partitions, version: version, compact: true)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Per-topic entries.
    public var topics: [Topic]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeProducers.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeProducers, version: version, correlationId: 0)
        }
        throttleTimeMs = try buffer.readKafkaInt32()
        topics = try buffer.readKafkaArray(version: version, compact: true)
        try buffer.skipKafkaTaggedFields()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeProducers.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeProducers, version: version)
        }
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(topics, version: version, compact: true)
        buffer.writeKafkaEmptyTaggedFields()
    }
}
