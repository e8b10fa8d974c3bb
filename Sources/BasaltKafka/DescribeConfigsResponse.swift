import NIOCore

/// DescribeConfigs response (key 32), versions 0–2 (non-flexible).
///
/// ```
/// throttle_time_ms  int32
/// results           [] { error_code int16, error_message string?, resource_type int8,
///                        resource_name string,
///                        configs [] { name string, value string?, read_only bool,
///                                     is_default bool v0, config_source int8 v1+,
///                                     is_sensitive bool,
///                                     synonyms [] { name string, value string?,
///                                                   source int8 } v1+ } }
/// ```
public struct DescribeConfigsResponse: Sendable, Equatable {
    /// Another source that defines the same config (v1+).
    public struct Synonym: Sendable, Equatable, KafkaCodable {
        /// Config name.
        public var name: String
        /// Config value, or `nil`.
        public var value: String?
        /// Where the synonym comes from.
        public var source: Int8

        /// Creates a synonym.
        public init(name: String, value: String?, source: Int8) {
            self.name = name
            self.value = value
            self.source = source
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            value = try buffer.readKafkaNullableString()
            source = try buffer.readKafkaInt8()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaNullableString(value)
            buffer.writeKafkaInt8(source)
        }
    }

    /// One config of a resource.
    public struct Config: Sendable, Equatable, KafkaCodable {
        /// Config name.
        public var name: String
        /// Config value, or `nil` (e.g. sensitive).
        public var value: String?
        /// Whether the config is read-only.
        public var readOnly: Bool
        /// Whether the value is the default (v0 only; `false` in v1+, where ``configSource`` says it).
        public var isDefault: Bool
        /// Source of the value (v1+; −1 before): 5 default, 1 topic, …
        public var configSource: Int8
        /// Whether the value is sensitive.
        public var isSensitive: Bool
        /// Synonyms (v1+; empty before).
        public var synonyms: [Synonym]

        /// Creates a config entry.
        public init(
            name: String, value: String?, readOnly: Bool = false, isDefault: Bool = false,
            configSource: Int8 = -1, isSensitive: Bool = false, synonyms: [Synonym] = []
        ) {
            self.name = name
            self.value = value
            self.readOnly = readOnly
            self.isDefault = isDefault
            self.configSource = configSource
            self.isSensitive = isSensitive
            self.synonyms = synonyms
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            value = try buffer.readKafkaNullableString()
            readOnly = try buffer.readKafkaBool()
            isDefault = version == 0 ? try buffer.readKafkaBool() : false
            configSource = version >= 1 ? try buffer.readKafkaInt8() : -1
            isSensitive = try buffer.readKafkaBool()
            synonyms = version >= 1 ? try buffer.readKafkaArray(version: version) : []
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaNullableString(value)
            buffer.writeKafkaBool(readOnly)
            if version == 0 {
                buffer.writeKafkaBool(isDefault)
            }
            if version >= 1 {
                buffer.writeKafkaInt8(configSource)
            }
            buffer.writeKafkaBool(isSensitive)
            if version >= 1 {
                try buffer.writeKafkaArray(synonyms, version: version)
            }
        }
    }

    /// The configs of one resource.
    public struct Result: Sendable, Equatable, KafkaCodable {
        /// Resource-level error.
        public var errorCode: KafkaErrorCode
        /// Error message, or `nil`.
        public var errorMessage: String?
        /// 2 topic, 4 broker.
        public var resourceType: Int8
        /// Topic name or broker id.
        public var resourceName: String
        /// The configs.
        public var configs: [Config]

        /// Creates a result.
        public init(
            errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil, resourceType: Int8,
            resourceName: String, configs: [Config]
        ) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configs = configs
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readKafkaErrorCode()
            errorMessage = try buffer.readKafkaNullableString()
            resourceType = try buffer.readKafkaInt8()
            resourceName = try buffer.readKafkaString()
            configs = try buffer.readKafkaArray(version: version)
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaNullableString(errorMessage)
            buffer.writeKafkaInt8(resourceType)
            try buffer.writeKafkaString(resourceName)
            try buffer.writeKafkaArray(configs, version: version)
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Per-resource results.
    public var results: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, results: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeConfigs, version: version, correlationId: 0)
        }
        throttleTimeMs = try buffer.readKafkaInt32()
        results = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeConfigs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeConfigs, version: version)
        }
        buffer.writeKafkaInt32(throttleTimeMs)
        try buffer.writeKafkaArray(results, version: version)
    }
}
