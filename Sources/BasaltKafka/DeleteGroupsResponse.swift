import NIOCore

/// DeleteGroups response (key 42), versions 0–2 (flexible from v2).
///
/// ```
/// throttle_time_ms  int32
/// results           [] { group_id string, error_code int16 }
/// tagged fields            v2+ (also after each result)
/// ```
public struct DeleteGroupsResponse: Sendable, Equatable {
    /// The outcome for one group.
    public struct Result: Sendable, Equatable, KafkaCodable {
        /// Group id.
        public var groupId: String
        /// NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, NOT_COORDINATOR, or none.
        public var errorCode: KafkaErrorCode

        /// Creates a result.
        public init(groupId: String, errorCode: KafkaErrorCode = .noError) {
            self.groupId = groupId
            self.errorCode = errorCode
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.deleteGroups.isFlexible(version)
            groupId = try buffer.readKafkaString(compact: flexible)
            errorCode = try buffer.readKafkaErrorCode()
            if flexible {
                try buffer.skipKafkaTaggedFields()
            }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.deleteGroups.isFlexible(version)
            try buffer.writeKafkaString(groupId, compact: flexible)
            buffer.writeKafkaErrorCode(errorCode)
            if flexible {
                buffer.writeKafkaEmptyTaggedFields()
            }
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// One result per group asked.
    public var results: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, results: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.deleteGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteGroups, version: version, correlationId: 0)
        }
        let flexible = ApiKey.deleteGroups.isFlexible(version)
        throttleTimeMs = try buffer.readKafkaInt32()
        results = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.deleteGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteGroups, version: version)
        }
        let flexible = ApiKey.deleteGroups.isFlexible(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(results, version: version, compact: flexible)
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
