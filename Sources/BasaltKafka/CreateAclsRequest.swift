import NIOCore

/// CreateAcls request (key 30), versions 0–3; flexible from v2.
///
/// ```
/// creations [] { resource_type int8, resource_name string, pattern_type int8 (v1+; 3 literal before),
///                principal string, host string, operation int8, permission_type int8 }
/// ```
/// Enum fields stay raw `Int8`s: a value this module does not name still decodes, so the broker
/// can answer it with an error code instead of closing the connection.
public struct CreateAclsRequest: Sendable, Equatable {
    /// One ACL to create.
    public struct Creation: Sendable, Equatable, KafkaCodable {
        /// Resource type (2 topic, 3 group, 4 cluster, 5 transactional id).
        public var resourceType: Int8
        /// Resource name, or `*` for every resource of the type.
        public var resourceName: String
        /// Pattern type (3 literal, 4 prefixed); v1+, 3 before.
        public var patternType: Int8
        /// Principal, `User:alice` or `User:*`.
        public var principal: String
        /// Host, `*` or an IP address.
        public var host: String
        /// Operation (2 all, 3 read, 4 write, ...).
        public var operation: Int8
        /// Permission type (2 deny, 3 allow).
        public var permissionType: Int8

        /// Creates an entry.
        public init(resourceType: Int8, resourceName: String, patternType: Int8 = 3, principal: String, host: String,
                    operation: Int8, permissionType: Int8) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.patternType = patternType
            self.principal = principal
            self.host = host
            self.operation = operation
            self.permissionType = permissionType
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.createAcls.isFlexible(version)
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
            let flexible = ApiKey.createAcls.isFlexible(version)
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

    /// The ACLs to create.
    public var creations: [Creation]

    /// Creates a request.
    public init(creations: [Creation]) {
        self.creations = creations
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.createAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createAcls, version: version, correlationId: 0)
        }
        let flexible = ApiKey.createAcls.isFlexible(version)
        creations = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.createAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createAcls, version: version)
        }
        let flexible = ApiKey.createAcls.isFlexible(version)
        try buffer.writeKafkaArray(creations, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
