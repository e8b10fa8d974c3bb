import NIOCore

/// FindCoordinator response (key 10), versions 0–2 (non-flexible).
///
/// ```
/// throttle_time_ms  int32    v1+
/// error_code        int16
/// error_message     string?  v1+
/// node_id           int32
/// host              string
/// port              int32
/// ```
public struct FindCoordinatorResponse: Sendable, Equatable {
    /// Throttle time (v1+; 0 before).
    public var throttleTimeMs: Int32
    /// Error, e.g. COORDINATOR_NOT_AVAILABLE.
    public var errorCode: KafkaErrorCode
    /// Error message (v1+; `nil` before).
    public var errorMessage: String?
    /// Coordinator node id.
    public var nodeId: Int32
    /// Coordinator host.
    public var host: String
    /// Coordinator port.
    public var port: Int32

    /// Creates a response.
    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .noError,
        errorMessage: String? = nil,
        nodeId: Int32,
        host: String,
        port: Int32
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.nodeId = nodeId
        self.host = host
        self.port = port
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.findCoordinator.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .findCoordinator, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        errorCode = try buffer.readKafkaErrorCode()
        errorMessage = version >= 1 ? try buffer.readKafkaNullableString() : nil
        nodeId = try buffer.readKafkaInt32()
        host = try buffer.readKafkaString()
        port = try buffer.readKafkaInt32()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.findCoordinator.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .findCoordinator, version: version)
        }
        if version >= 1 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        buffer.writeKafkaErrorCode(errorCode)
        if version >= 1 {
            try buffer.writeKafkaNullableString(errorMessage)
        }
        buffer.writeKafkaInt32(nodeId)
        try buffer.writeKafkaString(host)
        buffer.writeKafkaInt32(port)
    }
}
