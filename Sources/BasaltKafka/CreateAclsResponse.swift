import NIOCore

/// CreateAcls response (key 30), versions 0–3; flexible from v2.
///
/// ```
/// throttle_time_ms int32
/// results [] { error_code int16, error_message string? }   (one per creation, in order)
/// ```
public struct CreateAclsResponse: Sendable, Equatable {
    /// The result of one creation.
    public struct Result: Sendable, Equatable, KafkaCodable {
        /// Error, e.g. INVALID_REQUEST for an unknown operation.
        public var errorCode: KafkaErrorCode
        /// Why, or `nil` on success.
        public var errorMessage: String?

        /// Creates a result.
        public init(errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.createAcls.isFlexible(version)
            errorCode = try buffer.readKafkaErrorCode()
            errorMessage = try buffer.readKafkaNullableString(compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.createAcls.isFlexible(version)
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaNullableString(errorMessage, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// One result per requested creation.
    public var results: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, results: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.createAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createAcls, version: version, correlationId: 0)
        }
        let flexible = ApiKey.createAcls.isFlexible(version)
        throttleTimeMs = try buffer.readKafkaInt32()
        results = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.createAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createAcls, version: version)
        }
        let flexible = ApiKey.createAcls.isFlexible(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(results, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
