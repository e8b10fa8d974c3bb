import NIOCore

/// InitProducerId response (key 22), versions 0–4 (flexible from v2).
///
/// ```
/// throttle_time_ms  int32
/// error_code        int16
/// producer_id       int64
/// producer_epoch    int16
/// tagged fields             v2+
/// ```
public struct InitProducerIdResponse: Sendable, Equatable {
    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Error code.
    public var errorCode: KafkaErrorCode
    /// The allocated producer id (−1 on error).
    public var producerId: Int64
    /// The producer epoch (−1 on error).
    public var producerEpoch: Int16

    /// Creates a response.
    public init(
        throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError, producerId: Int64,
        producerEpoch: Int16
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerId = producerId
        self.producerEpoch = producerEpoch
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.initProducerId.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .initProducerId, version: version, correlationId: 0)
        }
        throttleTimeMs = try buffer.readKafkaInt32()
        errorCode = try buffer.readKafkaErrorCode()
        producerId = try buffer.readKafkaInt64()
        producerEpoch = try buffer.readKafkaInt16()
        if ApiKey.initProducerId.isFlexible(version) {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.initProducerId.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .initProducerId, version: version)
        }
        buffer.writeKafkaInt32(throttleTimeMs)
        buffer.writeKafkaErrorCode(errorCode)
        buffer.writeKafkaInt64(producerId)
        buffer.writeKafkaInt16(producerEpoch)
        if ApiKey.initProducerId.isFlexible(version) {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
