/// The frame sizes a connection's ``KafkaFrameDecoder`` accepts, changed by its
/// ``KafkaConnectionHandler`` as the connection authenticates: before authentication on a
/// SASL listener at most ``SaslSettings/maxReceiveBytes`` (Kafka's
/// `sasl.server.max.receive.size`), so an unauthenticated client cannot make the broker
/// buffer a 100 MiB frame; raw v0 SASL tokens may be shorter than a request header.
///
/// Confined to the channel's event loop (the decoder and the handler both run there).
final class FrameLimits {
    var maxFrameBytes: Int
    var minFrameBytes: Int

    init(maxFrameBytes: Int, minFrameBytes: Int = 10) {
        self.maxFrameBytes = maxFrameBytes
        self.minFrameBytes = minFrameBytes
    }
}
