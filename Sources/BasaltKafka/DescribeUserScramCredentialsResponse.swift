import NIOCore

/// DescribeUserScramCredentials response (key 50), version 0 (flexible; KIP-554).
///
/// ```
/// throttle_time_ms  int32
/// error_code        int16
/// error_message     compact_string?
/// results           []{ user compact_string, error_code int16, error_message compact_string?,
///                       credential_infos []{ mechanism int8, iterations int32, tagged }, tagged }
/// tagged fields
/// ```
public struct DescribeUserScramCredentialsResponse: Sendable, Equatable {
    /// One credential of a user: which hash, how many iterations (never the keys).
    public struct CredentialInfo: Sendable, Equatable {
        /// 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512.
        public var mechanism: Int8
        /// PBKDF2 iterations.
        public var iterations: Int32

        /// Creates an entry.
        public init(mechanism: Int8, iterations: Int32) {
            self.mechanism = mechanism
            self.iterations = iterations
        }
    }

    /// One user's answer.
    public struct Result: Sendable, Equatable {
        /// The user name.
        public var user: String
        /// NONE, or RESOURCE_NOT_FOUND for a user without credentials.
        public var errorCode: KafkaErrorCode
        /// Why, if failed.
        public var errorMessage: String?
        /// The user's credentials.
        public var credentialInfos: [CredentialInfo]

        /// Creates a result.
        public init(user: String, errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil,
                    credentialInfos: [CredentialInfo]) {
            self.user = user
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.credentialInfos = credentialInfos
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Request-level error (authorisation).
    public var errorCode: KafkaErrorCode
    /// Request-level message.
    public var errorMessage: String?
    /// One result per user.
    public var results: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil,
                results: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.results = results
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeUserScramCredentials.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeUserScramCredentials, version: version, correlationId: 0)
        }
        throttleTimeMs = try buffer.readKafkaInt32()
        errorCode = try buffer.readKafkaErrorCode()
        errorMessage = try buffer.readKafkaNullableString(compact: true)
        results = try buffer.readKafkaArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            let user = try buffer.readKafkaString(compact: true)
            let errorCode = try buffer.readKafkaErrorCode()
            let errorMessage = try buffer.readKafkaNullableString(compact: true)
            let infos = try buffer.readKafkaArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
                let info = CredentialInfo(mechanism: try buffer.readKafkaInt8(), iterations: try buffer.readKafkaInt32())
                try buffer.skipKafkaTaggedFields()
                return info
            }
            try buffer.skipKafkaTaggedFields()
            return Result(user: user, errorCode: errorCode, errorMessage: errorMessage, credentialInfos: infos)
        }
        try buffer.skipKafkaTaggedFields()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeUserScramCredentials.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeUserScramCredentials, version: version)
        }
        buffer.writeKafkaInt32(throttleTimeMs)
        buffer.writeKafkaErrorCode(errorCode)
        try buffer.writeKafkaNullableString(errorMessage, compact: true)
        try buffer.writeKafkaArray(results, compact: true) { (buffer: inout ByteBuffer, result: Result) throws(KafkaEncodingError) in
            try buffer.writeKafkaString(result.user, compact: true)
            buffer.writeKafkaErrorCode(result.errorCode)
            try buffer.writeKafkaNullableString(result.errorMessage, compact: true)
            try buffer.writeKafkaArray(result.credentialInfos, compact: true) {
                (buffer: inout ByteBuffer, info: CredentialInfo) throws(KafkaEncodingError) in
                buffer.writeKafkaInt8(info.mechanism)
                buffer.writeKafkaInt32(info.iterations)
                buffer.writeKafkaEmptyTaggedFields()
            }
            buffer.writeKafkaEmptyTaggedFields()
        }
        buffer.writeKafkaEmptyTaggedFields()
    }
}
