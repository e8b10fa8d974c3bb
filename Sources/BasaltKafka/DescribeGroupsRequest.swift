import NIOCore

/// DescribeGroups request (key 15), versions 0–5 (flexible from v5).
///
/// ```
/// groups                         []string
/// include_authorized_operations  bool      v3+
/// tagged fields                            v5+
/// ```
public struct DescribeGroupsRequest: Sendable, Equatable {
    /// The group ids to describe.
    public var groups: [String]
    /// Whether to report authorized operations (v3+; `false` before).
    public var includeAuthorizedOperations: Bool

    /// Creates a request.
    public init(groups: [String], includeAuthorizedOperations: Bool = false) {
        self.groups = groups
        self.includeAuthorizedOperations = includeAuthorizedOperations
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeGroups, version: version, correlationId: 0)
        }
        let flexible = ApiKey.describeGroups.isFlexible(version)
        groups = try buffer.readKafkaStringArray(compact: flexible)
        includeAuthorizedOperations = version >= 3 ? try buffer.readKafkaBool() : false
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
        try buffer.writeKafkaStringArray(groups, compact: flexible)
        if version >= 3 {
            buffer.writeKafkaBool(includeAuthorizedOperations)
        }
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
