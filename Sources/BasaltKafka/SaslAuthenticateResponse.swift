import NIOCore

/// SaslAuthenticate response (key 36), versions 0–2 (flexible from v2).
///
/// ```
/// error_code           int16
/// error_message        string?   (compact in v2)
/// auth_bytes           bytes     (compact in v2)
/// session_lifetime_ms  int64     v1+
/// ```
public struct SaslAuthenticateResponse: Sendable, Equatable {
    /// NONE, SASL_AUTHENTICATION_FAILED or ILLEGAL_SASL_STATE.
    public var errorCode: KafkaErrorCode
    /// Why authentication failed; never names the secret.
    public var errorMessage: String?
    /// The server's SASL token (empty when the mechanism has none).
    public var authBytes: ByteBuffer
    /// How long the session may last before the client must re-authenticate; 0 for no limit (v1+).
    public var sessionLifetimeMs: Int64

    /// Creates a response.
    public init(errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil, authBytes: ByteBuffer = ByteBuffer(),
                sessionLifetimeMs: Int64 = 0) {
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.authBytes = authBytes
        self.sessionLifetimeMs = sessionLifetimeMs
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.saslAuthenticate.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .saslAuthenticate, version: version, correlationId: 0)
        }
        let flexible = ApiKey.saslAuthenticate.isFlexible(version)
        errorCode = try buffer.readKafkaErrorCode()
        errorMessage = try buffer.readKafkaNullableString(compact: flexible)
        authBytes = try buffer.readKafkaBytes(compact: flexible)
        sessionLifetimeMs = version >= 1 ? try buffer.readKafkaInt64() : 0
        if flexible {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.saslAuthenticate.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .saslAuthenticate, version: version)
        }
        let flexible = ApiKey.saslAuthenticate.isFlexible(version)
        buffer.writeKafkaErrorCode(errorCode)
        try buffer.writeKafkaNullableString(errorMessage, compact: flexible)
        try buffer.writeKafkaBytes(authBytes, compact: flexible)
        if version >= 1 {
            buffer.writeKafkaInt64(sessionLifetimeMs)
        }
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
