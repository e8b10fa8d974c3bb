import NIOCore

/// The ACL filter that DescribeAcls carries once and DeleteAcls once per filter (keys 29, 31).
///
/// ```
/// resource_type_filter int8, resource_name_filter string?, pattern_type_filter int8 (v1+; 3 literal before),
/// principal_filter string?, host_filter string?, operation int8, permission_type int8
/// ```
/// A null string matches any value; enum fields stay raw so unknown values reach the broker.
public struct AclFilterFields: Sendable, Equatable {
    /// Resource type (1 any, 2 topic, 3 group, 4 cluster, 5 transactional id).
    public var resourceType: Int8
    /// Resource name, or `nil` for any.
    public var resourceName: String?
    /// Pattern type (1 any, 2 match, 3 literal, 4 prefixed); v1+, 3 before.
    public var patternType: Int8
    /// Principal, or `nil` for any.
    public var principal: String?
    /// Host, or `nil` for any.
    public var host: String?
    /// Operation (1 any, 2 all, 3 read, ...).
    public var operation: Int8
    /// Permission type (1 any, 2 deny, 3 allow).
    public var permissionType: Int8

    /// Creates a filter.
    public init(resourceType: Int8, resourceName: String?, patternType: Int8 = 3, principal: String?, host: String?,
                operation: Int8, permissionType: Int8) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permissionType = permissionType
    }

    /// Decodes the fields as `version` lays them out (no tagged fields: the caller owns those).
    init(from buffer: inout ByteBuffer, version: Int16, flexible: Bool) throws(KafkaProtocolError) {
        resourceType = try buffer.readKafkaInt8()
        resourceName = try buffer.readKafkaNullableString(compact: flexible)
        patternType = version >= 1 ? try buffer.readKafkaInt8() : 3
        principal = try buffer.readKafkaNullableString(compact: flexible)
        host = try buffer.readKafkaNullableString(compact: flexible)
        operation = try buffer.readKafkaInt8()
        permissionType = try buffer.readKafkaInt8()
    }

    /// Encodes the fields as `version` lays them out.
    func encode(into buffer: inout ByteBuffer, version: Int16, flexible: Bool) throws(KafkaEncodingError) {
        buffer.writeKafkaInt8(resourceType)
        try buffer.writeKafkaNullableString(resourceName, compact: flexible)
        if version >= 1 { buffer.writeKafkaInt8(patternType) }
        try buffer.writeKafkaNullableString(principal, compact: flexible)
        try buffer.writeKafkaNullableString(host, compact: flexible)
        buffer.writeKafkaInt8(operation)
        buffer.writeKafkaInt8(permissionType)
    }
}
