import NIOCore

/// DeleteGroups request (key 42), versions 0–2 (flexible from v2).
///
/// ```
/// groups_names   []string
/// tagged fields            v2+
/// ```
public struct DeleteGroupsRequest: Sendable, Equatable {
    /// The group ids to delete.
    public var groupsNames: [String]

    /// Creates a request.
    public init(groupsNames: [String]) {
        self.groupsNames = groupsNames
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.deleteGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteGroups, version: version, correlationId: 0)
        }
        let flexible = ApiKey.deleteGroups.isFlexible(version)
        groupsNames = try buffer.readKafkaStringArray(compact: flexible)
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
        try buffer.writeKafkaStringArray(groupsNames, compact: flexible)
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
