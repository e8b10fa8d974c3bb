import NIOCore

/// AlterConfigs request (key 33), versions 0–2 (flexible from v2). Replaces every dynamic
/// config of each resource with the ones given (a config left out returns to its default).
///
/// ```
/// resources      [] { resource_type int8 (2 topic, 4 broker), resource_name string,
///                     configs [] { name string, value string? } }
/// validate_only  bool
/// ```
public struct AlterConfigsRequest: Sendable, Equatable {
    /// One config to set.
    public struct Config: Sendable, Equatable, KafkaCodable {
        /// Config name.
        public var name: String
        /// The value, or `nil` (treated as "back to the default").
        public var value: String?

        /// Creates a config entry.
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.alterConfigs.isFlexible(version)
            name = try buffer.readKafkaString(compact: flexible)
            value = try buffer.readKafkaNullableString(compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.alterConfigs.isFlexible(version)
            try buffer.writeKafkaString(name, compact: flexible)
            try buffer.writeKafkaNullableString(value, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// One resource and its new configs.
    public struct Resource: Sendable, Equatable, KafkaCodable {
        /// 2 topic, 4 broker.
        public var resourceType: Int8
        /// Topic name, or broker id ("" for the cluster default).
        public var resourceName: String
        /// The configs.
        public var configs: [Config]

        /// Creates a resource entry.
        public init(resourceType: Int8, resourceName: String, configs: [Config]) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configs = configs
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.alterConfigs.isFlexible(version)
            resourceType = try buffer.readKafkaInt8()
            resourceName = try buffer.readKafkaString(compact: flexible)
            configs = try buffer.readKafkaArray(version: version, compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.alterConfigs.isFlexible(version)
            buffer.writeKafkaInt8(resourceType)
            try buffer.writeKafkaString(resourceName, compact: flexible)
            try buffer.writeKafkaArray(configs, version: version, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Resources to change.
    public var resources: [Resource]
    /// Whether only to check the request, changing nothing.
    public var validateOnly: Bool

    /// Creates a request.
    public init(resources: [Resource], validateOnly: Bool = false) {
        self.resources = resources
        self.validateOnly = validateOnly
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.alterConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .alterConfigs, version: version, correlationId: 0)
        }
        let flexible = ApiKey.alterConfigs.isFlexible(version)
        resources = try buffer.readKafkaArray(version: version, compact: flexible)
        validateOnly = try buffer.readKafkaBool()
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.alterConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .alterConfigs, version: version)
        }
        let flexible = ApiKey.alterConfigs.isFlexible(version)
        try buffer.writeKafkaArray(resources, version: version, compact: flexible)
        buffer.writeKafkaBool(validateOnly)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
