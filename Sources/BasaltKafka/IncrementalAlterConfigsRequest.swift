import NIOCore

/// IncrementalAlterConfigs request (key 44), versions 0–1 (flexible from v1). Changes only
/// the configs named, each by its operation.
///
/// ```
/// resources      [] { resource_type int8 (2 topic, 4 broker), resource_name string,
///                     configs [] { name string, config_operation int8
///                                  (0 set, 1 delete, 2 append, 3 subtract), value string? } }
/// validate_only  bool
/// ```
public struct IncrementalAlterConfigsRequest: Sendable, Equatable {
    /// One config to set.
    public struct Config: Sendable, Equatable, KafkaCodable {
        /// Config name.
        public var name: String
        /// 0 set, 1 delete (back to the default), 2 append, 3 subtract (list configs only).
        public var operation: Int8
        /// The value, or `nil`.
        public var value: String?

        /// Creates a config entry.
        public init(name: String, operation: Int8, value: String?) {
            self.name = name
            self.operation = operation
            self.value = value
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
            name = try buffer.readKafkaString(compact: flexible)
            operation = try buffer.readKafkaInt8()
            value = try buffer.readKafkaNullableString(compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
            try buffer.writeKafkaString(name, compact: flexible)
            buffer.writeKafkaInt8(operation)
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
            let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
            resourceType = try buffer.readKafkaInt8()
            resourceName = try buffer.readKafkaString(compact: flexible)
            configs = try buffer.readKafkaArray(version: version, compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
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
        guard ApiKey.incrementalAlterConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .incrementalAlterConfigs, version: version, correlationId: 0)
        }
        let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
        resources = try buffer.readKafkaArray(version: version, compact: flexible)
        validateOnly = try buffer.readKafkaBool()
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.incrementalAlterConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .incrementalAlterConfigs, version: version)
        }
        let flexible = ApiKey.incrementalAlterConfigs.isFlexible(version)
        try buffer.writeKafkaArray(resources, version: version, compact: flexible)
        buffer.writeKafkaBool(validateOnly)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
