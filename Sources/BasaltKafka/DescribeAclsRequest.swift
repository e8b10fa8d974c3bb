import NIOCore

/// DescribeAcls request (key 29), versions 0–3; flexible from v2. The body is one
/// ``AclFilterFields``.
public struct DescribeAclsRequest: Sendable, Equatable {
    /// Which ACLs to describe.
    public var filter: AclFilterFields

    /// Creates a request.
    public init(filter: AclFilterFields) {
        self.filter = filter
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeAcls, version: version, correlationId: 0)
        }
        let flexible = ApiKey.describeAcls.isFlexible(version)
        filter = try AclFilterFields(from: &buffer, version: version, flexible: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeAcls, version: version)
        }
        let flexible = ApiKey.describeAcls.isFlexible(version)
        try filter.encode(into: &buffer, version: version, flexible: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
