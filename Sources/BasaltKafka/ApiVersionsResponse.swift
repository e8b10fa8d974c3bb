import NIOCore

/// ApiVersions response (key 18), versions 0–4. Always sent with response header v0.
///
/// ```
/// error_code        int16
/// api_keys          [] { api_key int16, min_version int16, max_version int16, tags v3+ }
/// throttle_time_ms  int32   v1+
/// tagged fields             v3+ (supported/finalized features; skipped on decode)
/// ```
/// v3+ uses compact arrays. When a client asks for a version the broker does not support, Kafka
/// answers `UNSUPPORTED_VERSION` encoded as **v0** with only the ApiVersions entry listed
/// (kafka-compat.md §3.6); encode such a reply with `version: 0`.
public struct ApiVersionsResponse: Sendable, Equatable {
    /// One supported API and its version range.
    public struct ApiVersion: Sendable, Equatable, KafkaCodable {
        /// The raw API key (kept raw so keys unknown to this module survive decoding).
        public var apiKey: Int16
        /// Lowest supported version.
        public var minVersion: Int16
        /// Highest supported version.
        public var maxVersion: Int16

        /// Creates an entry.
        public init(apiKey: Int16, minVersion: Int16, maxVersion: Int16) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            apiKey = try buffer.readKafkaInt16()
            minVersion = try buffer.readKafkaInt16()
            maxVersion = try buffer.readKafkaInt16()
            if version >= 3 {
                try buffer.skipKafkaTaggedFields()
            }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt16(apiKey)
            buffer.writeKafkaInt16(minVersion)
            buffer.writeKafkaInt16(maxVersion)
            if version >= 3 {
                buffer.writeKafkaEmptyTaggedFields()
            }
        }
    }

    /// Top-level error (`UNSUPPORTED_VERSION` when the request version was too new).
    public var errorCode: KafkaErrorCode
    /// The supported APIs.
    public var apiKeys: [ApiVersion]
    /// Throttle time (v1+; 0 before).
    public var throttleTimeMs: Int32

    /// Creates a response.
    public init(errorCode: KafkaErrorCode = .noError, apiKeys: [ApiVersion], throttleTimeMs: Int32 = 0) {
        self.errorCode = errorCode
        self.apiKeys = apiKeys
        self.throttleTimeMs = throttleTimeMs
    }

    /// The table for every API in ``ApiKey`` with its ``ApiKey/supportedVersions``.
    public static var supportedApiKeys: [ApiVersion] {
        ApiKey.allCases.map {
            ApiVersion(
                apiKey: $0.rawValue,
                minVersion: $0.supportedVersions.lowerBound,
                maxVersion: $0.supportedVersions.upperBound)
        }
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.apiVersions.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .apiVersions, version: version, correlationId: 0)
        }
        let flexible = version >= 3
        errorCode = try buffer.readKafkaErrorCode()
        apiKeys = try buffer.readKafkaArray(version: version, compact: flexible)
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        if flexible {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.apiVersions.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .apiVersions, version: version)
        }
        let flexible = version >= 3
        buffer.writeKafkaErrorCode(errorCode)
        try buffer.writeKafkaArray(apiKeys, version: version, compact: flexible)
        if version >= 1 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
