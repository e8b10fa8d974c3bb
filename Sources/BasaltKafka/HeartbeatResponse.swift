import NIOCore

/// Heartbeat response (key 12), versions 0–3 (non-flexible).
///
/// ```
/// throttle_time_ms  int32  v1+
/// error_code        int16
/// ```
public struct HeartbeatResponse: Sendable, Equatable {
    /// Throttle time (v1+; 0 before).
    public var throttleTimeMs: Int32
    /// Error, e.g. REBALANCE_IN_PROGRESS.
    public var errorCode: KafkaErrorCode

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.heartbeat.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .heartbeat, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        errorCode = try buffer.readKafkaErrorCode()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.heartbeat.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .heartbeat, version: version)
        }
        if version >= 1 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        buffer.writeKafkaErrorCode(errorCode)
    }
}
