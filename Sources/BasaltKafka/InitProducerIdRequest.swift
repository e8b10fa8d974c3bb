import NIOCore

/// InitProducerId request (key 22), versions 0–4 (flexible from v2).
///
/// ```
/// transactional_id        string?   null for idempotent-only producers
/// transaction_timeout_ms  int32
/// producer_id             int64     v3+ (−1 = none, for epoch bumps)
/// producer_epoch          int16     v3+ (−1 = none)
/// tagged fields                     v2+
/// ```
/// v2+ encodes the string in compact form.
public struct InitProducerIdRequest: Sendable, Equatable {
    /// Transactional id, or `nil` for an idempotent-only producer.
    public var transactionalId: String?
    /// Transaction timeout.
    public var transactionTimeoutMs: Int32
    /// Existing producer id to bump (v3+; −1 before).
    public var producerId: Int64
    /// Existing producer epoch (v3+; −1 before).
    public var producerEpoch: Int16

    /// Creates a request.
    public init(
        transactionalId: String? = nil, transactionTimeoutMs: Int32, producerId: Int64 = -1,
        producerEpoch: Int16 = -1
    ) {
        self.transactionalId = transactionalId
        self.transactionTimeoutMs = transactionTimeoutMs
        self.producerId = producerId
        self.producerEpoch = producerEpoch
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.initProducerId.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .initProducerId, version: version, correlationId: 0)
        }
        let flexible = ApiKey.initProducerId.isFlexible(version)
        transactionalId = try buffer.readKafkaNullableString(compact: flexible)
        transactionTimeoutMs = try buffer.readKafkaInt32()
        if version >= 3 {
            producerId = try buffer.readKafkaInt64()
            producerEpoch = try buffer.readKafkaInt16()
        } else {
            producerId = -1
            producerEpoch = -1
        }
        if flexible {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.initProducerId.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .initProducerId, version: version)
        }
        let flexible = ApiKey.initProducerId.isFlexible(version)
        try buffer.writeKafkaNullableString(transactionalId, compact: flexible)
        buffer.writeKafkaInt32(transactionTimeoutMs)
        if version >= 3 {
            buffer.writeKafkaInt64(producerId)
            buffer.writeKafkaInt16(producerEpoch)
        }
        if flexible {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
