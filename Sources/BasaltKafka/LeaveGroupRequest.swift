import NIOCore

/// LeaveGroup request (key 13), versions 0–1 (non-flexible).
///
/// ```
/// group_id   string
/// member_id  string
/// ```
public struct LeaveGroupRequest: Sendable, Equatable {
    /// Group id.
    public var groupId: String
    /// The leaving member's id.
    public var memberId: String

    /// Creates a request.
    public init(groupId: String, memberId: String) {
        self.groupId = groupId
        self.memberId = memberId
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.leaveGroup.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .leaveGroup, version: version, correlationId: 0)
        }
        groupId = try buffer.readKafkaString()
        memberId = try buffer.readKafkaString()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.leaveGroup.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .leaveGroup, version: version)
        }
        try buffer.writeKafkaString(groupId)
        try buffer.writeKafkaString(memberId)
    }
}
