import NIOCore

/// Fetch response (key 1), versions 0–11 (non-flexible).
///
/// ```
/// throttle_time_ms  int32   v1+
/// error_code        int16   v7+
/// session_id        int32   v7+
/// responses         [] { topic string, partitions [] {
///                       partition_index int32, error_code int16, high_watermark int64,
///                       last_stable_offset int64 v4+, log_start_offset int64 v5+,
///                       aborted_transactions [] { producer_id int64, first_offset int64 }? v4+,
///                       preferred_read_replica int32 v11, records records? } }
/// ```
/// `records` is a `ByteBuffer` so the broker can hand over whole batches read from a segment
/// without re-encoding them. Versions 0–1 carry message sets of magic 0, versions 2–3 of
/// magic 1, versions 4+ record batches v2; this codec does not look inside them.
public struct FetchResponse: Sendable, Equatable {
    /// An aborted transaction overlapping the returned records.
    public struct AbortedTransaction: Sendable, Equatable, KafkaCodable {
        /// Producer id of the aborted transaction.
        public var producerId: Int64
        /// First offset of the aborted transaction.
        public var firstOffset: Int64

        /// Creates an entry.
        public init(producerId: Int64, firstOffset: Int64) {
            self.producerId = producerId
            self.firstOffset = firstOffset
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            producerId = try buffer.readKafkaInt64()
            firstOffset = try buffer.readKafkaInt64()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt64(producerId)
            buffer.writeKafkaInt64(firstOffset)
        }
    }

    /// The data for one partition.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// Partition-level error.
        public var errorCode: KafkaErrorCode
        /// High watermark.
        public var highWatermark: Int64
        /// Last stable offset (v4+; −1 before).
        public var lastStableOffset: Int64
        /// Log start offset (v5+; −1 before).
        public var logStartOffset: Int64
        /// Aborted transactions, or `nil` (v4+; `nil` before).
        public var abortedTransactions: [AbortedTransaction]?
        /// Preferred read replica (v11; −1 = none, the default before).
        public var preferredReadReplica: Int32
        /// Raw record batches, or `nil`.
        public var records: ByteBuffer?

        /// Creates a partition entry.
        public init(
            partitionIndex: Int32,
            errorCode: KafkaErrorCode = .noError,
            highWatermark: Int64,
            lastStableOffset: Int64,
            logStartOffset: Int64 = -1,
            abortedTransactions: [AbortedTransaction]? = nil,
            preferredReadReplica: Int32 = -1,
            records: ByteBuffer?
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.highWatermark = highWatermark
            self.lastStableOffset = lastStableOffset
            self.logStartOffset = logStartOffset
            self.abortedTransactions = abortedTransactions
            self.preferredReadReplica = preferredReadReplica
            self.records = records
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            errorCode = try buffer.readKafkaErrorCode()
            highWatermark = try buffer.readKafkaInt64()
            lastStableOffset = version >= 4 ? try buffer.readKafkaInt64() : -1
            logStartOffset = version >= 5 ? try buffer.readKafkaInt64() : -1
            abortedTransactions = version >= 4 ? try buffer.readKafkaNullableArray(version: version) : nil
            preferredReadReplica = version >= 11 ? try buffer.readKafkaInt32() : -1
            records = try buffer.readKafkaNullableBytes()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaErrorCode(errorCode)
            buffer.writeKafkaInt64(highWatermark)
            if version >= 4 {
                buffer.writeKafkaInt64(lastStableOffset)
            }
            if version >= 5 {
                buffer.writeKafkaInt64(logStartOffset)
            }
            if version >= 4 {
                try buffer.writeKafkaNullableArray(abortedTransactions, version: version)
            }
            if version >= 11 {
                buffer.writeKafkaInt32(preferredReadReplica)
            }
            try buffer.writeKafkaNullableBytes(records)
        }
    }

    /// The data for one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var topic: String
        /// Per-partition data.
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

    /// Throttle time (v1+; 0 before).
    public var throttleTimeMs: Int32
    /// Top-level error (v7+; e.g. FETCH_SESSION_ID_NOT_FOUND).
    public var errorCode: KafkaErrorCode
    /// Fetch session id (v7+; 0 = no session).
    public var sessionId: Int32
    /// Per-topic data.
    public var responses: [Topic]

    /// Creates a response.
    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .noError,
        sessionId: Int32 = 0,
        responses: [Topic]
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.sessionId = sessionId
        self.responses = responses
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.fetch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .fetch, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        if version >= 7 {
            errorCode = try buffer.readKafkaErrorCode()
            sessionId = try buffer.readKafkaInt32()
        } else {
            errorCode = .noError
            sessionId = 0
        }
        responses = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.fetch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .fetch, version: version)
        }
        if version >= 1 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        if version >= 7 {
            buffer.writeKafkaErrorCode(errorCode)
            buffer.writeKafkaInt32(sessionId)
        }
        try buffer.writeKafkaArray(responses, version: version)
    }
}
