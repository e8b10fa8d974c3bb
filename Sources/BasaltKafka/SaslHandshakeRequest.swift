import NIOCore

/// SaslHandshake request (key 17), versions 0–1 (non-flexible; KIP-43, KIP-152).
///
/// ```
/// mechanism  string
/// ```
///
/// v0 is followed by raw SASL tokens (a size prefix, no request header); v1 by
/// SaslAuthenticate requests that carry them.
public struct SaslHandshakeRequest: Sendable, Equatable {
    /// The SASL mechanism the client wants, e.g. `SCRAM-SHA-256`.
    public var mechanism: String

    /// Creates a request.
    public init(mechanism: String) {
        self.mechanism = mechanism
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.saslHandshake.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .saslHandshake, version: version, correlationId: 0)
        }
        mechanism = try buffer.readKafkaString()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.saslHandshake.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .saslHandshake, version: version)
        }
        try buffer.writeKafkaString(mechanism)
    }
}
