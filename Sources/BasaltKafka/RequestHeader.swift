import NIOCore

/// The header that precedes every request body (kafka-compat.md §3.1).
///
/// Layout, after the 4-byte frame length:
/// ```
/// api_key        int16
/// api_version    int16
/// correlation_id int32
/// client_id      nullable string (int16 length, even in header v2)
/// tagged fields  header v2 only (flexible request versions)
/// ```
public struct RequestHeader: Sendable, Equatable {
    /// Which API the body belongs to.
    public var apiKey: ApiKey
    /// The version of the body.
    public var apiVersion: Int16
    /// Echoed in the response header so the client can match replies to requests.
    public var correlationId: Int32
    /// The client's self-chosen id, or `nil`.
    public var clientId: String?

    /// Creates a header.
    public init(apiKey: ApiKey, apiVersion: Int16, correlationId: Int32, clientId: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
    }

    /// The header version this request uses: 2 if `apiVersion` is flexible, else 1.
    public var headerVersion: Int16 {
        apiKey.requestHeaderVersion(apiVersion)
    }

    /// Decodes a request header from the start of a frame body.
    ///
    /// The API version is not checked against ``ApiKey/supportedVersions`` here: the header
    /// layout is known for every version of a known API, which lets a broker answer an
    /// unsupported version with the right correlation id.
    ///
    /// - Throws: ``KafkaProtocolError/unknownApiKey(_:correlationId:)`` for an unknown key, or a
    ///   length error if the bytes are truncated or malformed.
    public init(from buffer: inout ByteBuffer) throws(KafkaProtocolError) {
        let rawKey = try buffer.readKafkaInt16()
        let apiVersion = try buffer.readKafkaInt16()
        let correlationId = try buffer.readKafkaInt32()
        guard let apiKey = ApiKey(rawValue: rawKey) else {
            throw .unknownApiKey(rawKey, correlationId: correlationId)
        }
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = try buffer.readKafkaNullableString()
        if apiKey.isFlexible(apiVersion) {
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the header in version ``headerVersion``.
    public func encode(into buffer: inout ByteBuffer) throws(KafkaEncodingError) {
        buffer.writeKafkaInt16(apiKey.rawValue)
        buffer.writeKafkaInt16(apiVersion)
        buffer.writeKafkaInt32(correlationId)
        try buffer.writeKafkaNullableString(clientId)
        if apiKey.isFlexible(apiVersion) {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
