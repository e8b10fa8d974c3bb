/// Why bytes could not be decoded as a Kafka request or response.
///
/// Every decoder in this module reports malformed input with one of these cases; none of them
/// traps or allocates from an unchecked length.
public enum KafkaProtocolError: Error, Equatable, Sendable {
    /// The input ended before the value did.
    case truncated(needed: Int, available: Int)
    /// A length or element count is negative (other than the −1 that marks null) or larger than
    /// the encoding allows (a string longer than 32767 bytes, a compact length above `Int32.max`).
    case invalidLength(Int64)
    /// A string's bytes are not valid UTF-8.
    case invalidUTF8(byteCount: Int)
    /// A field that the schema declares non-nullable was encoded as null.
    case unexpectedNull
    /// An unsigned varint ran past its maximum width (5 bytes for 32-bit values, 10 for 64-bit).
    case malformedVarint
    /// The request header names an API key this module does not know.
    case unknownApiKey(Int16, correlationId: Int32)
    /// The API is known but this module does not implement the requested version.
    ///
    /// `correlationId` lets a broker still answer (Kafka answers an unsupported ApiVersions
    /// version with a v0 `UNSUPPORTED_VERSION` body).
    case unsupportedVersion(apiKey: ApiKey, version: Int16, correlationId: Int32)
    /// A complete message was decoded but bytes were left over in its frame.
    case trailingBytes(Int)
}
