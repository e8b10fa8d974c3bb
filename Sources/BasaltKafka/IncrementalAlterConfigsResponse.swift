import NIOCore

/// IncrementalAlterConfigs response (key 44), versions 0–1 (flexible from v1).
///
/// ```
/// throttle_time_ms  int32
/// responses         [] { error_code int16, error_message string?, resource_type int8, resource_name string }
/// ```
public struct IncrementalAlterConfigsResponse: Sendable, Equatable {
    /// The outcome for one resource.
    public struct Result: Sendable, Equatable, KafkaCodable {
        /// The error, or none.
        public var errorCode: KafkaErrorCode
        /// Why, or `nil`.
        public var errorMessage: String?
        /// 2 topic, 4 broker.
        public var resourceType: Int8
        /// Topic name or broker id.
        public var resourceName: String

        /// Creates a result.
        public init(errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil, resourceType: Int8, resourceName: String) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.resourceType = resourceType
            self.resourceName = resourceName
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
            errorCode = try buffer.readKafkaErrorCode()
            errorMessage = try buffer.readKafkaNullableString(compact: flexible)
            resourceType = try buffer.readKafkaInt8()
            resourceName = try buffer.readKafkaString(compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaNullableString(errorMessage, compact: flexible)
            buffer.writeKafkaInt8(resourceType)
            try buffer.writeKafkaString(resourceName, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Per-resource results.
    public var responses: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, responses: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.responses = responses
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.incrementalAlterConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .incrementalAlterConfigs, version: version, correlationId: 0)
        }
        let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
        throttleTimeMs = try buffer.readKafkaInt32()
        responses = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.incrementalAlterConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .incrementalAlterConfigs, version: version)
        }
        let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(responses, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
