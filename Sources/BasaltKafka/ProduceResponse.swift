import NIOCore

/// Produce response (key 0), versions 0–8 (non-flexible).
///
/// ```
/// responses         [] { name string, partition_responses [] {
///                       index int32, error_code int16, base_offset int64,
///                       log_append_time_ms int64 v2+, log_start_offset int64 v5+,
///                       record_errors [] { batch_index int32,
///                                          batch_index_error_message string? } v8,
///                       error_message string? v8 } }
/// throttle_time_ms  int32      v1+, last field of the body
/// ```
public struct ProduceResponse: Sendable, Equatable {
    /// A per-record error inside a rejected batch (v8).
    public struct RecordError: Sendable, Equatable, KafkaCodable {
        /// Index of the record in the batch.
        public var batchIndex: Int32
        /// Optional message.
        public var batchIndexErrorMessage: String?

        /// Creates a record error.
        public init(batchIndex: Int32, batchIndexErrorMessage: String? = nil) {
            self.batchIndex = batchIndex
            self.batchIndexErrorMessage = batchIndexErrorMessage
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            batchIndex = try buffer.readKafkaInt32()
            batchIndexErrorMessage = try buffer.readKafkaNullableString()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(batchIndex)
            try buffer.writeKafkaNullableString(batchIndexErrorMessage)
        }
    }

    /// The result for one partition.
    public struct PartitionResponse: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var index: Int32
        /// Partition-level error.
        public var errorCode: KafkaErrorCode
        /// Offset assigned to the first record of the batch.
        public var baseOffset: Int64
        /// Broker append time if the topic uses LogAppendTime, else −1 (v2+; −1 before).
        public var logAppendTimeMs: Int64
        /// Log start offset (v5+; −1 before).
        public var logStartOffset: Int64
        /// Per-record errors (v8; empty before).
        public var recordErrors: [RecordError]
        /// Error message (v8; `nil` before).
        public var errorMessage: String?

        /// Creates a partition result.
        public init(
            index: Int32,
            errorCode: KafkaErrorCode = .noError,
            baseOffset: Int64,
            logAppendTimeMs: Int64 = -1,
            logStartOffset: Int64 = -1,
            recordErrors: [RecordError] = [],
            errorMessage: String? = nil
        ) {
            self.index = index
            self.errorCode = errorCode
            self.baseOffset = baseOffset
            self.logAppendTimeMs = logAppendTimeMs
            self.logStartOffset = logStartOffset
            self.recordErrors = recordErrors
            self.errorMessage = errorMessage
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            index = try buffer.readKafkaInt32()
            errorCode = try buffer.readKafkaErrorCode()
            baseOffset = try buffer.readKafkaInt64()
            logAppendTimeMs = version >= 2 ? try buffer.readKafkaInt64() : -1
            logStartOffset = version >= 5 ? try buffer.readKafkaInt64() : -1
            if version >= 8 {
                recordErrors = try buffer.readKafkaArray(version: version)
                errorMessage = try buffer.readKafkaNullableString()
            } else {
                recordErrors = []
                errorMessage = nil
            }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(index)
            buffer.writeKafkaErrorCode(errorCode)
            buffer.writeKafkaInt64(baseOffset)
            if version >= 2 {
                buffer.writeKafkaInt64(logAppendTimeMs)
            }
            if version >= 5 {
                buffer.writeKafkaInt64(logStartOffset)
            }
            if version >= 8 {
                try buffer.writeKafkaArray(recordErrors, version: version)
                try buffer.writeKafkaNullableString(errorMessage)
            }
        }
    }

    /// The results for one topic.
    public struct TopicResponse: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Per-partition results.
        public var partitionResponses: [PartitionResponse]

        /// Creates a topic result.
        public init(name: String, partitionResponses: [PartitionResponse]) {
            self.name = name
            self.partitionResponses = partitionResponses
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            partitionResponses = try buffer.readKafkaArray(version: version)
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaArray(partitionResponses, version: version)
        }
    }

    /// Per-topic results.
    public var responses: [TopicResponse]
    /// Throttle time (v1+; 0 before).
    public var throttleTimeMs: Int32

    /// Creates a response.
    public init(responses: [TopicResponse], throttleTimeMs: Int32 = 0) {
        self.responses = responses
        self.throttleTimeMs = throttleTimeMs
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.produce.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .produce, version: version, correlationId: 0)
        }
        responses = try buffer.readKafkaArray(version: version)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.produce.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .produce, version: version)
        }
        try buffer.writeKafkaArray(responses, version: version)
        if version >= 1 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
    }
}
