/// Why bytes could not be decoded as a Kafka request or response.
public enum KafkaProtocolError: Error, Equatable, Sendable {
    /// The input ended before the value did.
    case truncated(needed: Int, available: Int)
}
