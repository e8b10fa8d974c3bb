import NIOCore

/// CreateTopics response (key 19), versions 0–4 (non-flexible).
///
/// ```
/// throttle_time_ms  int32   v2+
/// topics            [] { name string, error_code int16, error_message string? v1+ }
/// ```
public struct CreateTopicsResponse: Sendable, Equatable {
    /// The result for one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Error, e.g. TOPIC_ALREADY_EXISTS.
        public var errorCode: KafkaErrorCode
        /// Error message (v1+; `nil` before).
        public var errorMessage: String?

        /// Creates a topic result.
        public init(name: String, errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            errorCode = try buffer.readKafkaErrorCode()
            errorMessage = version >= 1 ? try buffer.readKafkaNullableString() : nil
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            buffer.writeKafkaErrorCode(errorCode)
            if version >= 1 {
                try buffer.writeKafkaNullableString(errorMessage)
            }
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
        guard ApiKey.createTopics.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createTopics, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 2 ? try buffer.readKafkaInt32() : 0
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.createTopics.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createTopics, version: version)
        }
        if version >= 2 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        try buffer.writeKafkaArray(topics, version: version)
    }
}
