import NIOCore

/// SyncGroup request (key 14), versions 0–3 (non-flexible).
///
/// ```
/// group_id           string
/// generation_id      int32
/// member_id          string
/// group_instance_id  string?  v3
/// assignments        [] { member_id string, assignment bytes }   leader only
/// ```
public struct SyncGroupRequest: Sendable, Equatable {
    /// The leader's assignment for one member.
    public struct Assignment: Sendable, Equatable, KafkaCodable {
        /// Member id.
        public var memberId: String
        /// Opaque assignment bytes (kafka-compat.md §4.3).
        public var assignment: ByteBuffer

        /// Creates an assignment entry.
        public init(memberId: String, assignment: ByteBuffer) {
            self.memberId = memberId
            self.assignment = assignment
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            memberId = try buffer.readKafkaString()
            assignment = try buffer.readKafkaBytes()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(memberId)
            try buffer.writeKafkaBytes(assignment)
        }
    }

    /// Group id.
    public var groupId: String
    /// Generation from JoinGroup.
    public var generationId: Int32
    /// This member's id.
    public var memberId: String
    /// Static member id (v3; `nil` before).
    public var groupInstanceId: String?
    /// Assignments (leader only; empty for followers).
    public var assignments: [Assignment]

    /// Creates a request.
    public init(
        groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil,
        assignments: [Assignment] = []
    ) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.assignments = assignments
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.syncGroup.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .syncGroup, version: version, correlationId: 0)
        }
        groupId = try buffer.readKafkaString()
        generationId = try buffer.readKafkaInt32()
        memberId = try buffer.readKafkaString()
        groupInstanceId = version >= 3 ? try buffer.readKafkaNullableString() : nil
        assignments = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.syncGroup.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .syncGroup, version: version)
        }
        try buffer.writeKafkaString(groupId)
        buffer.writeKafkaInt32(generationId)
        try buffer.writeKafkaString(memberId)
        if version >= 3 {
            try buffer.writeKafkaNullableString(groupInstanceId)
        }
        try buffer.writeKafkaArray(assignments, version: version)
    }
}
