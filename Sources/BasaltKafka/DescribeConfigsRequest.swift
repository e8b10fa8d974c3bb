import NIOCore

/// DescribeConfigs request (key 32), versions 0–2 (non-flexible).
///
/// ```
/// resources         [] { resource_type int8 (2 topic, 4 broker), resource_name string,
///                        configuration_keys []string? (null = all) }
/// include_synonyms  bool  v1+
/// ```
public struct DescribeConfigsRequest: Sendable, Equatable {
    /// One resource to describe.
    public struct Resource: Sendable, Equatable, KafkaCodable {
        /// 2 topic, 4 broker.
        public var resourceType: Int8
        /// Topic name or broker id.
        public var resourceName: String
        /// Keys to describe, or `nil` for all.
        public var configurationKeys: [String]?

        /// Creates a resource entry.
        public init(resourceType: Int8, resourceName: String, configurationKeys: [String]? = nil) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configurationKeys = configurationKeys
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            resourceType = try buffer.readKafkaInt8()
            resourceName = try buffer.readKafkaString()
            configurationKeys = try buffer.readKafkaNullableArray { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
                try buffer.readKafkaString()
            }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt8(resourceType)
            try buffer.writeKafkaString(resourceName)
            try buffer.writeKafkaNullableArray(configurationKeys) { (buffer: inout ByteBuffer, element) throws(KafkaEncodingError) in try buffer.writeKafkaString(element) }
        }
    }

    /// Resources to describe.
    public var resources: [Resource]
    /// Whether to include synonyms (v1+; `false` before).
    public var includeSynonyms: Bool

    /// Creates a request.
    public init(resources: [Resource], includeSynonyms: Bool = false) {
        self.resources = resources
        self.includeSynonyms = includeSynonyms
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeConfigs, version: version, correlationId: 0)
        }
        resources = try buffer.readKafkaArray(version: version)
        includeSynonyms = version >= 1 ? try buffer.readKafkaBool() : false
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeConfigs, version: version)
        }
        try buffer.writeKafkaArray(resources, version: version)
        if version >= 1 {
            buffer.writeKafkaBool(includeSynonyms)
        }
    }
}
