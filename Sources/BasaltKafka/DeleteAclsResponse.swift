import NIOCore

/// DeleteAcls response (key 31), versions 0–3; flexible from v2.
///
/// ```
/// throttle_time_ms int32
/// filter_results [] { error_code int16, error_message string?,
///   matching_acls [] { error_code int16, error_message string?, resource_type int8, resource_name string,
///                      pattern_type int8 (v1+), principal string, host string, operation int8, permission_type int8 } }
/// ```
public struct DeleteAclsResponse: Sendable, Equatable {
    /// One ACL a filter matched (and deleted, unless its error says otherwise).
    public struct MatchingAcl: Sendable, Equatable, KafkaCodable {
        /// Error deleting this ACL.
        public var errorCode: KafkaErrorCode
        /// Why, or `nil`.
        public var errorMessage: String?
        /// Resource type code.
        public var resourceType: Int8
        /// Resource name.
        public var resourceName: String
        /// Pattern type code (v1+; 3 literal before).
        public var patternType: Int8
        /// Principal.
        public var principal: String
        /// Host.
        public var host: String
        /// Operation code.
        public var operation: Int8
        /// Permission type code.
        public var permissionType: Int8

        /// Creates an entry.
        public init(errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil, resourceType: Int8,
                    resourceName: String, patternType: Int8 = 3, principal: String, host: String, operation: Int8,
                    permissionType: Int8) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.patternType = patternType
            self.principal = principal
            self.host = host
            self.operation = operation
            self.permissionType = permissionType
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.deleteAcls.isFlexible(version)
            errorCode = try buffer.readKafkaErrorCode()
            errorMessage = try buffer.readKafkaNullableString(compact: flexible)
            resourceType = try buffer.readKafkaInt8()
            resourceName = try buffer.readKafkaString(compact: flexible)
            patternType = version >= 1 ? try buffer.readKafkaInt8() : 3
            principal = try buffer.readKafkaString(compact: flexible)
            host = try buffer.readKafkaString(compact: flexible)
            operation = try buffer.readKafkaInt8()
            permissionType = try buffer.readKafkaInt8()
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.deleteAcls.isFlexible(version)
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaNullableString(errorMessage, compact: flexible)
            buffer.writeKafkaInt8(resourceType)
            try buffer.writeKafkaString(resourceName, compact: flexible)
            if version >= 1 { buffer.writeKafkaInt8(patternType) }
            try buffer.writeKafkaString(principal, compact: flexible)
            try buffer.writeKafkaString(host, compact: flexible)
            buffer.writeKafkaInt8(operation)
            buffer.writeKafkaInt8(permissionType)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// The result of one filter.
    public struct FilterResult: Sendable, Equatable, KafkaCodable {
        /// Error for the whole filter (e.g. INVALID_REQUEST).
        public var errorCode: KafkaErrorCode
        /// Why, or `nil`.
        public var errorMessage: String?
        /// The ACLs it matched.
        public var matchingAcls: [MatchingAcl]

        /// Creates a result.
        public init(errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil, matchingAcls: [MatchingAcl]) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.matchingAcls = matchingAcls
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.deleteAcls.isFlexible(version)
            errorCode = try buffer.readKafkaErrorCode()
            errorMessage = try buffer.readKafkaNullableString(compact: flexible)
            matchingAcls = try buffer.readKafkaArray(version: version, compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.deleteAcls.isFlexible(version)
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaNullableString(errorMessage, compact: flexible)
            try buffer.writeKafkaArray(matchingAcls, version: version, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// One result per filter, in order.
    public var filterResults: [FilterResult]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, filterResults: [FilterResult]) {
        self.throttleTimeMs = throttleTimeMs
        self.filterResults = filterResults
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.deleteAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteAcls, version: version, correlationId: 0)
        }
        let flexible = ApiKey.deleteAcls.isFlexible(version)
        throttleTimeMs = try buffer.readKafkaInt32()
        filterResults = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.deleteAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteAcls, version: version)
        }
        let flexible = ApiKey.deleteAcls.isFlexible(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(filterResults, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
