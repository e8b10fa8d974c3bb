import NIOCore

/// ListGroups request (key 16), versions 0–5 (flexible from v3).
///
/// ```
/// states_filter  []string  v4+   empty = every state
/// types_filter   []string  v5+   empty = every type
/// tagged fields            v3+
/// ```
public struct ListGroupsRequest: Sendable, Equatable {
    /// The group states to list (v4+; empty before, meaning all).
    public var statesFilter: [String]
    /// The group types to list (v5+; empty before, meaning all).
    public var typesFilter: [String]

    /// Creates a request.
    public init(statesFilter: [String] = [], typesFilter: [String] = []) {
        self.statesFilter = statesFilter
        self.typesFilter = typesFilter
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.listGroups.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .listGroups, version: version, correlationId: 0)
        }
        let flexible = ApiKey.listGroups.isFlexible(version)
        statesFilter = version >= 4 ? try buffer.readKafkaStringArray(compact: flexible) : []
        typesFilter = version >= 5 ? try buffer.readKafkaStringArray(compact: flexible) : []
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
        if version >= 4 {
            try buffer.writeKafkaStringArray(statesFilter, compact: flexible)
        }
        if version >= 5 {
            try buffer.writeKafkaStringArray(typesFilter, compact: flexible)
        }
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
