import NIOCore

/// DescribeGroups response (key 15), versions 0–5 (flexible from v5).
///
/// ```
/// throttle_time_ms  int32  v1+
/// groups            [] { error_code int16, group_id string, group_state string,
///                        protocol_type string, protocol_data string,
///                        members [] { member_id string, group_instance_id string? v4+,
///                                     client_id string, client_host string,
///                                     member_metadata bytes, member_assignment bytes },
///                        authorized_operations int32 v3+ }
/// tagged fields            v5+ (also after each group and member)
/// ```
public struct DescribeGroupsResponse: Sendable, Equatable {
    /// One member of a described group.
    public struct Member: Sendable, Equatable, KafkaCodable {
        /// Member id the coordinator assigned.
        public var memberId: String
        /// Static member id (v4+; `nil` before).
        public var groupInstanceId: String?
        /// Client id of the member's latest JoinGroup.
        public var clientId: String
        /// The member's address as Kafka shows it, e.g. "/127.0.0.1".
        public var clientHost: String
        /// The member's subscription bytes for the group's protocol.
        public var memberMetadata: ByteBuffer
        /// The member's assignment bytes.
        public var memberAssignment: ByteBuffer

        /// Creates a member entry.
        public init(
            memberId: String, groupInstanceId: String? = nil, clientId: String, clientHost: String,
            memberMetadata: ByteBuffer, memberAssignment: ByteBuffer
        ) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.memberMetadata = memberMetadata
            self.memberAssignment = memberAssignment
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.describeGroups.isFlexible(version)
            memberId = try buffer.readKafkaString(compact: flexible)
            groupInstanceId = version >= 4 ? try buffer.readKafkaNullableString(compact: flexible) : nil
            clientId = try buffer.readKafkaString(compact: flexible)
            clientHost = try buffer.readKafkaString(compact: flexible)
            memberMetadata = try buffer.readKafkaBytes(compact: flexible)
            memberAssignment = try buffer.readKafkaBytes(compact: flexible)
            if flexible {
                try buffer.skipKafkaTaggedFields()
            }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.describeGroups.isFlexible(version)
            try buffer.writeKafkaString(memberId, compact: flexible)
            if version >= 4 {
                try buffer.writeKafkaNullableString(groupInstanceId, compact: flexible)
            }
            try buffer.writeKafkaString(clientId, compact: flexible)
            try buffer.writeKafkaString(clientHost, compact: flexible)
            try buffer.writeKafkaBytes(memberMetadata, compact: flexible)
            try buffer.writeKafkaBytes(memberAssignment, compact: flexible)
            if flexible {
                buffer.writeKafkaEmptyTaggedFields()
            }
        }
    }

    /// One described group.
    public struct Group: Sendable, Equatable, KafkaCodable {
        /// Group-level error, e.g. NOT_COORDINATOR.
        public var errorCode: KafkaErrorCode
        /// Group id.
        public var groupId: String
        /// State name: Empty, PreparingRebalance, CompletingRebalance, Stable or Dead.
        public var groupState: String
        /// Protocol type, e.g. "consumer", or empty.
        public var protocolType: String
        /// The chosen protocol (assignor) name, or empty.
        public var protocolData: String
        /// The members (empty for a Dead group).
        public var members: [Member]
        /// Authorized operations bit field (v3+; `Int32.min` = not requested, and before v3).
        public var authorizedOperations: Int32

        /// Creates a group entry.
        public init(
            errorCode: KafkaErrorCode = .noError, groupId: String, groupState: String, protocolType: String,
            protocolData: String, members: [Member], authorizedOperations: Int32 = Int32.min
        ) {
            self.errorCode = errorCode
            self.groupId = groupId
            self.groupState = groupState
            self.protocolType = protocolType
            self.protocolData = protocolData
            self.members = members
            self.authorizedOperations = authorizedOperations
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.describeGroups.isFlexible(version)
            errorCode = try buffer.readKafkaErrorCode()
            groupId = try buffer.readKafkaString(compact: flexible)
            groupState = try buffer.readKafkaString(compact: flexible)
            protocolType = try buffer.readKafkaString(compact: flexible)
            protocolData = try buffer.readKafkaString(compact: flexible)
            members = try buffer.readKafkaArray(version: version, compact: flexible)
            authorizedOperations = version >= 3 ? try buffer.readKafkaInt32() : Int32.min
            if flexible {
                try buffer.skipKafkaTaggedFields()
            }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.describeGroups.isFlexible(version)
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaString(groupId, compact: flexible)
            try buffer.writeKafkaString(groupState, compact: flexible)
            try buffer.writeKafkaString(protocolType, compact: flexible)
            try buffer.writeKafkaString(protocolData, compact: flexible)
            try buffer.writeKafkaArray(members, version: version, compact: flexible)
            if version >= 3 {
                buffer.writeKafkaInt32(authorizedOperations)
            }
            if flexible {
                buffer.writeKafkaEmptyTaggedFields()
            }
        }
    }

    /// Throttle time (v1+; 0 before).
    public var throttleTimeMs: Int32
    /// The groups, in the order asked.
    public var groups: [Group]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.groups = groups
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeGroups, version: version, correlationId: 0)
        }
        let flexible = ApiKey.describeGroups.isFlexible(version)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        groups = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeGroups, version: version)
        }
        let flexible = ApiKey.describeGroups.isFlexible(version)
        if version >= 1 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        try buffer.writeKafkaArray(groups, version: version, compact: flexible)
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
