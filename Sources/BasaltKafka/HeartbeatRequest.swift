import NIOCore

/// Heartbeat request (key 12), versions 0–3 (non-flexible).
///
/// ```
/// group_id           string
/// generation_id      int32
/// member_id          string
/// group_instance_id  string?  v3
/// ```
public struct HeartbeatRequest: Sendable, Equatable {
    /// Group id.
    public var groupId: String
    /// Current generation.
    public var generationId: Int32
    /// This member's id.
    public var memberId: String
    /// Static member id (v3; `nil` before).
    public var groupInstanceId: String?

    /// Creates a request.
    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.heartbeat.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .heartbeat, version: version, correlationId: 0)
        }
        groupId = try buffer.readKafkaString()
        generationId = try buffer.readKafkaInt32()
        memberId = try buffer.readKafkaString()
        groupInstanceId = version >= 3 ? try buffer.readKafkaNullableString() : nil
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.heartbeat.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .heartbeat, version: version)
        }
        try buffer.writeKafkaString(groupId)
        buffer.writeKafkaInt32(generationId)
        try buffer.writeKafkaString(memberId)
        if version >= 3 {
            try buffer.writeKafkaNullableString(groupInstanceId)
        }
    }
}
