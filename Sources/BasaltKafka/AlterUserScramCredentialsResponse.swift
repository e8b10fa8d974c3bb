import NIOCore

/// AlterUserScramCredentials response (key 51), version 0 (flexible; KIP-554).
///
/// ```
/// throttle_time_ms  int32
/// results           []{ user compact_string, error_code int16, error_message compact_string?, tagged }
/// tagged fields
/// ```
public struct AlterUserScramCredentialsResponse: Sendable, Equatable {
    /// One user's outcome.
    public struct Result: Sendable, Equatable {
        /// The user name.
        public var user: String
        /// NONE, UNSUPPORTED_SASL_MECHANISM, UNACCEPTABLE_CREDENTIAL, RESOURCE_NOT_FOUND, …
        public var errorCode: KafkaErrorCode
        /// Why, if failed.
        public var errorMessage: String?

        /// Creates a result.
        public init(user: String, errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil) {
            self.user = user
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// One result per user named in the request.
    public var results: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, results: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.alterUserScramCredentials.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .alterUserScramCredentials, version: version, correlationId: 0)
        }
        throttleTimeMs = try buffer.readKafkaInt32()
        results = try buffer.readKafkaArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            let result = Result(user: try buffer.readKafkaString(compact: true), errorCode: try buffer.readKafkaErrorCode(),
                                errorMessage: try buffer.readKafkaNullableString(compact: true))
            try buffer.skipKafkaTaggedFields()
            return result
        }
        try buffer.skipKafkaTaggedFields()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.alterUserScramCredentials.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .alterUserScramCredentials, version: version)
        }
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(results, compact: true) { (buffer: inout ByteBuffer, result: Result) throws(KafkaEncodingError) in
            try buffer.writeKafkaString(result.user, compact: true)
            buffer.writeKafkaErrorCode(result.errorCode)
            try buffer.writeKafkaNullableString(result.errorMessage, compact: true)
            buffer.writeKafkaEmptyTaggedFields()
        }
        buffer.writeKafkaEmptyTaggedFields()
    }
}
