import NIOCore

/// The header that precedes every response body (kafka-compat.md §3.1).
///
/// v0 is `correlation_id int32`; v1 (flexible response versions) adds a tagged-field section.
/// ApiVersions responses always use v0 (see ``ApiKey/responseHeaderVersion(_:)``).
public struct ResponseHeader: Sendable, Equatable {
    /// The correlation id of the request being answered.
    public var correlationId: Int32

    /// Creates a header.
    public init(correlationId: Int32) {
        self.correlationId = correlationId
    }

    /// Decodes a response header of the given header version (0 or 1).
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        precondition(version == 0 || version == 1, "response header versions are 0 and 1")
        correlationId = try buffer.readKafkaInt32()
        if version >= 1 {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the header in the given header version (0 or 1).
    ///
    /// - Throws: ``KafkaEncodingError/unsupportedHeaderVersion(_:)`` for other versions.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard version == 0 || version == 1 else { throw .unsupportedHeaderVersion(version) }
        buffer.writeKafkaInt32(correlationId)
        if version >= 1 {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
