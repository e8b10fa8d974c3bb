import NIOCore

/// JoinGroup response (key 11), versions 0–5 (non-flexible).
///
/// ```
/// throttle_time_ms  int32    v2+
/// error_code        int16
/// generation_id     int32
/// protocol_name     string
/// leader            string
/// member_id         string
/// members           [] { member_id string, group_instance_id string? v5, metadata bytes }
/// ```
public struct JoinGroupResponse: Sendable, Equatable {
    /// A group member and its subscription (sent to the leader only).
    public struct Member: Sendable, Equatable, KafkaCodable {
        /// Member id.
        public var memberId: String
        /// Static member id (v5; `nil` before).
        public var groupInstanceId: String?
        /// Subscription bytes for the chosen protocol.
        public var metadata: ByteBuffer

        /// Creates a member entry.
        public init(memberId: String, groupInstanceId: String? = nil, metadata: ByteBuffer) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.metadata = metadata
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            memberId = try buffer.readKafkaString()
            groupInstanceId = version >= 5 ? try buffer.readKafkaNullableString() : nil
            metadata = try buffer.readKafkaBytes()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(memberId)
            if version >= 5 {
                try buffer.writeKafkaNullableString(groupInstanceId)
            }
            try buffer.writeKafkaBytes(metadata)
        }
    }

    /// Throttle time (v2+; 0 before).
    public var throttleTimeMs: Int32
    /// Error, e.g. MEMBER_ID_REQUIRED.
    public var errorCode: KafkaErrorCode
    /// The new generation.
    public var generationId: Int32
    /// The chosen assignor.
    public var protocolName: String
    /// Member id of the leader.
    public var leader: String
    /// This member's id.
    public var memberId: String
    /// All members with their subscriptions (leader only; empty for followers).
    public var members: [Member]

    /// Creates a response.
    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .noError,
        generationId: Int32,
        protocolName: String,
        leader: String,
        memberId: String,
        members: [Member] = []
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.generationId = generationId
        self.protocolName = protocolName
        self.leader = leader
        self.memberId = memberId
        self.members = members
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.joinGroup.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .joinGroup, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 2 ? try buffer.readKafkaInt32() : 0
        errorCode = try buffer.readKafkaErrorCode()
        generationId = try buffer.readKafkaInt32()
        protocolName = try buffer.readKafkaString()
        leader = try buffer.readKafkaString()
        memberId = try buffer.readKafkaString()
        members = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.joinGroup.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .joinGroup, version: version)
        }
        if version >= 2 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        buffer.writeKafkaErrorCode(errorCode)
        buffer.writeKafkaInt32(generationId)
        try buffer.writeKafkaString(protocolName)
        try buffer.writeKafkaString(leader)
        try buffer.writeKafkaString(memberId)
        try buffer.writeKafkaArray(members, version: version)
    }
}
