import NIOCore

/// DeleteAcls request (key 31), versions 0–3; flexible from v2.
///
/// ```
/// filters [] AclFilterFields
/// ```
public struct DeleteAclsRequest: Sendable, Equatable {
    /// One filter: every ACL it matches is deleted.
    public struct Filter: Sendable, Equatable, KafkaCodable {
        /// The filter's fields.
        public var fields: AclFilterFields

        /// Wraps `fields`.
        public init(_ fields: AclFilterFields) {
            self.fields = fields
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.deleteAcls.isFlexible(version)
            fields = try AclFilterFields(from: &buffer, version: version, flexible: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.deleteAcls.isFlexible(version)
            try fields.encode(into: &buffer, version: version, flexible: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// The filters.
    public var filters: [Filter]

    /// Creates a request.
    public init(filters: [Filter]) {
        self.filters = filters
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.deleteAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteAcls, version: version, correlationId: 0)
        }
        let flexible = ApiKey.deleteAcls.isFlexible(version)
        filters = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.deleteAcls.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteAcls, version: version)
        }
        let flexible = ApiKey.deleteAcls.isFlexible(version)
        try buffer.writeKafkaArray(filters, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
