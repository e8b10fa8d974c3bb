import BasaltKafka
import NIOCore

/// The topics of a consumer's subscription, read from the opaque member metadata of a
/// group with protocol type "consumer" (Kafka's `ConsumerProtocolSubscription`).
///
/// ```
/// version   int16
/// topics    []string   (int16-length strings, int32 count)
/// ...                  user data and, from v1, owned partitions: not read
/// ```
/// The bytes come from a client: anything that does not parse gives `nil`, and the
/// coordinator then treats the member as subscribed to nothing, as Kafka does.
struct ConsumerProtocolSubscription: Equatable {
    /// The protocol type of groups whose metadata has this layout.
    static let protocolType = "consumer"

    var topics: [String]

    init?(_ metadata: ByteBuffer) {
        var buffer = metadata
        guard let version = try? buffer.readKafkaInt16(), version >= 0,
              let topics = try? buffer.readKafkaStringArray() else { return nil }
        self.topics = topics
    }
}
