/// Why a value could not be encoded in the Kafka protocol.
///
/// Values reach encoders from requests and from disk (a topic name echoed in a response, a
/// member id built from a client id, a group's stored metadata), so a value the encoding
/// cannot carry is the world's error: the broker answers it by closing that one connection,
/// never by stopping the process.
public enum KafkaEncodingError: Error, Equatable, Sendable {
    /// A string, bytes or array is longer than its length prefix allows (32767 bytes for a
    /// string, `Int32.max` for bytes and arrays), or negative.
    case lengthOutOfRange(Int, limit: Int)
    /// The version is not one this module implements for the API.
    case unsupportedVersion(apiKey: ApiKey, version: Int16)
    /// A request header and body of different APIs were combined into one frame.
    case mismatchedApiKey(header: ApiKey, body: ApiKey)
    /// A response header version other than 0 and 1.
    case unsupportedHeaderVersion(Int16)
}
