import NIOCore

/// FindCoordinator request (key 10), versions 0–2 (non-flexible).
///
/// ```
/// key       string   the group id (or transactional id)
/// key_type  int8     v1+: 0 group, 1 transaction
/// ```
public struct FindCoordinatorRequest: Sendable, Equatable {
    /// The group id or transactional id.
    public var key: String
    /// 0 group, 1 transaction (v1+; 0 before).
    public var keyType: Int8

    /// Creates a request.
    public init(key: String, keyType: Int8 = 0) {
        self.key = key
        self.keyType = keyType
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.findCoordinator.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .findCoordinator, version: version, correlationId: 0)
        }
        key = try buffer.readKafkaString()
        keyType = version >= 1 ? try buffer.readKafkaInt8() : 0
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.findCoordinator.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .findCoordinator, version: version)
        }
        try buffer.writeKafkaString(key)
        if version >= 1 {
            buffer.writeKafkaInt8(keyType)
        }
    }
}
