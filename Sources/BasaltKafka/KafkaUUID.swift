/// A Kafka `uuid` field: 16 bytes, stored as two big-endian 64-bit halves.
public struct KafkaUUID: Hashable, Sendable {
    /// The first 8 bytes, big-endian.
    public var high: UInt64
    /// The last 8 bytes, big-endian.
    public var low: UInt64

    /// The all-zero UUID Kafka uses for "no topic id".
    public static let zero = KafkaUUID(high: 0, low: 0)

    /// Creates a UUID from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}
