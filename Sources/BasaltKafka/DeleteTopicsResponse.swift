import NIOCore

/// DeleteTopics response (key 20), versions 0–3 (non-flexible).
///
/// ```
/// throttle_time_ms  int32  v1+
/// responses         [] { name string, error_code int16 }
/// ```
public struct DeleteTopicsResponse: Sendable, Equatable {
    /// The result for one topic.
    public struct Result: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Error, e.g. UNKNOWN_TOPIC_OR_PARTITION.
        public var errorCode: KafkaErrorCode

        /// Creates a topic result.
        public init(name: String, errorCode: KafkaErrorCode = .noError) {
            self.name = name
            self.errorCode = errorCode
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            errorCode = try buffer.readKafkaErrorCode()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            buffer.writeKafkaErrorCode(errorCode)
        }
    }

    /// Throttle time (v1+; 0 before).
    public var throttleTimeMs: Int32
    /// Per-topic results.
    public var responses: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, responses: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.responses = responses
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.deleteTopics.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteTopics, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        responses = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.deleteTopics.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteTopics, version: version)
        }
        if version >= 1 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        try buffer.writeKafkaArray(responses, version: version)
    }
}
