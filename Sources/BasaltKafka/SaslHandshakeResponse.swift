import NIOCore

/// SaslHandshake response (key 17), versions 0–1 (non-flexible).
///
/// ```
/// error_code  int16
/// mechanisms  []string
/// ```
public struct SaslHandshakeResponse: Sendable, Equatable {
    /// NONE, UNSUPPORTED_SASL_MECHANISM or ILLEGAL_SASL_STATE.
    public var errorCode: KafkaErrorCode
    /// The mechanisms the broker enables on this listener.
    public var mechanisms: [String]

    /// Creates a response.
    public init(errorCode: KafkaErrorCode = .noError, mechanisms: [String]) {
        self.errorCode = errorCode
        self.mechanisms = mechanisms
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.saslHandshake.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .saslHandshake, version: version, correlationId: 0)
        }
        errorCode = try buffer.readKafkaErrorCode()
        mechanisms = try buffer.readKafkaStringArray()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.saslHandshake.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .saslHandshake, version: version)
        }
        buffer.writeKafkaErrorCode(errorCode)
        try buffer.writeKafkaStringArray(mechanisms)
    }
}
