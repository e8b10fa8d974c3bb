import NIOCore

/// SaslAuthenticate request (key 36), versions 0–2 (flexible from v2; KIP-152).
///
/// ```
/// auth_bytes  bytes   (compact in v2)
/// ```
public struct SaslAuthenticateRequest: Sendable, Equatable {
    /// One SASL token from the client, as the mechanism defines it.
    public var authBytes: ByteBuffer

    /// Creates a request.
    public init(authBytes: ByteBuffer) {
        self.authBytes = authBytes
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.saslAuthenticate.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .saslAuthenticate, version: version, correlationId: 0)
        }
        let flexible = ApiKey.saslAuthenticate.isFlexible(version)
        authBytes = try buffer.readKafkaBytes(compact: flexible)
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
        try buffer.writeKafkaBytes(authBytes, compact: flexible)
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
