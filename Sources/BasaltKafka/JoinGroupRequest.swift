import NIOCore

/// JoinGroup request (key 11), versions 0–5 (non-flexible).
///
/// ```
/// group_id              string
/// session_timeout_ms    int32
/// rebalance_timeout_ms  int32    v1+
/// member_id             string   "" on first join
/// group_instance_id     string?  v5
/// protocol_type         string   "consumer"
/// protocols             [] { name string, metadata bytes }
/// ```
public struct JoinGroupRequest: Sendable, Equatable {
    /// One assignor the member supports, with its subscription bytes.
    public struct GroupProtocol: Sendable, Equatable, KafkaCodable {
        /// Assignor name, e.g. `"range"`.
        public var name: String
        /// Opaque subscription metadata (kafka-compat.md §4.3).
        public var metadata: ByteBuffer

        /// Creates a protocol entry.
        public init(name: String, metadata: ByteBuffer) {
            self.name = name
            self.metadata = metadata
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            metadata = try buffer.readKafkaBytes()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaBytes(metadata)
        }
    }

    /// Group id.
    public var groupId: String
    /// Session timeout.
    public var sessionTimeoutMs: Int32
    /// Rebalance timeout (v1+; −1 before: use ``sessionTimeoutMs``).
    public var rebalanceTimeoutMs: Int32
    /// Member id, "" on first join.
    public var memberId: String
    /// Static member id (v5; `nil` before).
    public var groupInstanceId: String?
    /// Protocol type, normally `"consumer"`.
    public var protocolType: String
    /// Supported assignors in order of preference.
    public var protocols: [GroupProtocol]

    /// Creates a request.
    public init(
        groupId: String,
        sessionTimeoutMs: Int32,
        rebalanceTimeoutMs: Int32 = -1,
        memberId: String = "",
        groupInstanceId: String? = nil,
        protocolType: String = "consumer",
        protocols: [GroupProtocol]
    ) {
        self.groupId = groupId
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.protocolType = protocolType
        self.protocols = protocols
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.joinGroup.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .joinGroup, version: version, correlationId: 0)
        }
        groupId = try buffer.readKafkaString()
        sessionTimeoutMs = try buffer.readKafkaInt32()
        rebalanceTimeoutMs = version >= 1 ? try buffer.readKafkaInt32() : -1
        memberId = try buffer.readKafkaString()
        groupInstanceId = version >= 5 ? try buffer.readKafkaNullableString() : nil
        protocolType = try buffer.readKafkaString()
        protocols = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.joinGroup.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .joinGroup, version: version)
        }
        try buffer.writeKafkaString(groupId)
        buffer.writeKafkaInt32(sessionTimeoutMs)
        if version >= 1 {
            buffer.writeKafkaInt32(rebalanceTimeoutMs)
        }
        try buffer.writeKafkaString(memberId)
        if version >= 5 {
            try buffer.writeKafkaNullableString(groupInstanceId)
        }
        try buffer.writeKafkaString(protocolType)
        try buffer.writeKafkaArray(protocols, version: version)
    }
}
