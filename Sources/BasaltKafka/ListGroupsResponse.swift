import NIOCore

/// ListGroups response (key 16), versions 0–5 (flexible from v3).
///
/// ```
/// throttle_time_ms  int32  v1+
/// error_code        int16
/// groups            [] { group_id string, protocol_type string,
///                        group_state string v4+, group_type string v5+ }
/// tagged fields            v3+ (also after each group)
/// ```
public struct ListGroupsResponse: Sendable, Equatable {
    /// One listed group.
    public struct Group: Sendable, Equatable, KafkaCodable {
        /// Group id.
        public var groupId: String
        /// Protocol type, e.g. "consumer" (empty for a group with only committed offsets).
        public var protocolType: String
        /// State name, e.g. "Stable" (v4+; empty before).
        public var groupState: String
        /// Group type, e.g. "classic" (v5+; empty before).
        public var groupType: String

        /// Creates a group entry.
        public init(groupId: String, protocolType: String, groupState: String = "", groupType: String = "") {
            self.groupId = groupId
            self.protocolType = protocolType
            self.groupState = groupState
            self.groupType = groupType
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.listGroups.isFlexible(version)
            groupId = try buffer.readKafkaString(compact: flexible)
            protocolType = try buffer.readKafkaString(compact: flexible)
            groupState = version >= 4 ? try buffer.readKafkaString(compact: flexible) : ""
            groupType = version >= 5 ? try buffer.readKafkaString(compact: flexible) : ""
            if flexible {
                try buffer.skipKafkaTaggedFields()
            }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.listGroups.isFlexible(version)
            try buffer.writeKafkaString(groupId, compact: flexible)
            try buffer.writeKafkaString(protocolType, compact: flexible)
            if version >= 4 {
                try buffer.writeKafkaString(groupState, compact: flexible)
            }
            if version >= 5 {
                try buffer.writeKafkaString(groupType, compact: flexible)
            }
            if flexible {
                buffer.writeKafkaEmptyTaggedFields()
            }
        }
    }

    /// Throttle time (v1+; 0 before).
    public var throttleTimeMs: Int32
    /// Top-level error, e.g. COORDINATOR_LOAD_IN_PROGRESS.
    public var errorCode: KafkaErrorCode
    /// The groups.
    public var groups: [Group]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.groups = groups
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.listGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .listGroups, version: version, correlationId: 0)
        }
        let flexible = ApiKey.listGroups.isFlexible(version)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        errorCode = try buffer.readKafkaErrorCode()
        groups = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.listGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .listGroups, version: version)
        }
        let flexible = ApiKey.listGroups.isFlexible(version)
        if version >= 1 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        buffer.writeKafkaErrorCode(errorCode)
        try buffer.writeKafkaArray(groups, version: version, compact: flexible)
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
