import NIOCore

/// DescribeAcls response (key 29), versions 0–3; flexible from v2.
///
/// ```
/// throttle_time_ms int32, error_code int16, error_message string?
/// resources [] { resource_type int8, resource_name string, pattern_type int8 (v1+),
///                acls [] { principal string, host string, operation int8, permission_type int8 } }
/// ```
public struct DescribeAclsResponse: Sendable, Equatable {
    /// One ACL of a resource.
    public struct Acl: Sendable, Equatable, KafkaCodable {
        /// Principal, `User:alice`.
        public var principal: String
        /// Host, `*` or an IP address.
        public var host: String
        /// Operation code.
        public var operation: Int8
        /// Permission type code.
        public var permissionType: Int8

        /// Creates an entry.
        public init(principal: String, host: String, operation: Int8, permissionType: Int8) {
            self.principal = principal
            self.host = host
            self.operation = operation
            self.permissionType = permissionType
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.describeAcls.isFlexible(version)
            principal = try buffer.readKafkaString(compact: flexible)
            host = try buffer.readKafkaString(compact: flexible)
            operation = try buffer.readKafkaInt8()
            permissionType = try buffer.readKafkaInt8()
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.describeAcls.isFlexible(version)
            try buffer.writeKafkaString(principal, compact: flexible)
            try buffer.writeKafkaString(host, compact: flexible)
            buffer.writeKafkaInt8(operation)
            buffer.writeKafkaInt8(permissionType)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// A resource pattern and its ACLs.
    public struct Resource: Sendable, Equatable, KafkaCodable {
        /// Resource type code.
        public var resourceType: Int8
        /// Resource name.
        public var resourceName: String
        /// Pattern type code (v1+; 3 literal before).
        public var patternType: Int8
        /// The ACLs on this pattern.
        public var acls: [Acl]

        /// Creates an entry.
        public init(resourceType: Int8, resourceName: String, patternType: Int8 = 3, acls: [Acl]) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.patternType = patternType
            self.acls = acls
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.describeAcls.isFlexible(version)
            resourceType = try buffer.readKafkaInt8()
            resourceName = try buffer.readKafkaString(compact: flexible)
            patternType = version >= 1 ? try buffer.readKafkaInt8() : 3
            acls = try buffer.readKafkaArray(version: version, compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.describeAcls.isFlexible(version)
            buffer.writeKafkaInt8(resourceType)
            try buffer.writeKafkaString(resourceName, compact: flexible)
            if version >= 1 { buffer.writeKafkaInt8(patternType) }
            try buffer.writeKafkaArray(acls, version: version, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Error, e.g. CLUSTER_AUTHORIZATION_FAILED.
    public var errorCode: KafkaErrorCode
    /// Why, or `nil` on success.
    public var errorMessage: String?
    /// The matching ACLs, grouped by resource pattern.
    public var resources: [Resource]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil,
                resources: [Resource]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.resources = resources
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeAcls, version: version, correlationId: 0)
        }
        let flexible = ApiKey.describeAcls.isFlexible(version)
        throttleTimeMs = try buffer.readKafkaInt32()
        errorCode = try buffer.readKafkaErrorCode()
        errorMessage = try buffer.readKafkaNullableString(compact: flexible)
        resources = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeAcls, version: version)
        }
        let flexible = ApiKey.describeAcls.isFlexible(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        buffer.writeKafkaErrorCode(errorCode)
        try buffer.writeKafkaNullableString(errorMessage, compact: flexible)
        try buffer.writeKafkaArray(resources, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
