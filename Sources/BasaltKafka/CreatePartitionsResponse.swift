import NIOCore

/// CreatePartitions response (key 37), versions 0–3 (flexible from v2).
///
/// ```
/// throttle_time_ms  int32
/// results           [] { name string, error_code int16, error_message string? }
/// ```
public struct CreatePartitionsResponse: Sendable, Equatable {
    /// The outcome for one topic.
    public struct Result: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// The error, or none.
        public var errorCode: KafkaErrorCode
        /// Why, or `nil`.
        public var errorMessage: String?

        /// Creates a result.
        public init(name: String, errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.createPartitions.isFlexible(version)
            name = try buffer.readKafkaString(compact: flexible)
            errorCode = try buffer.readKafkaErrorCode()
            errorMessage = try buffer.readKafkaNullableString(compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.createPartitions.isFlexible(version)
            try buffer.writeKafkaString(name, compact: flexible)
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaNullableString(errorMessage, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Per-topic results.
    public var results: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, results: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.createPartitions.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createPartitions, version: version, correlationId: 0)
        }
        let flexible = ApiKey.createPartitions.isFlexible(version)
        throttleTimeMs = try buffer.readKafkaInt32()
        results = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.createPartitions.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createPartitions, version: version)
        }
        let flexible = ApiKey.createPartitions.isFlexible(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(results, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
