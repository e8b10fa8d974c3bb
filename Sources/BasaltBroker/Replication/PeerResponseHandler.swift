import NIOCore

/// Matches response frames from a peer broker to the requests sent, in order, and fails
/// every waiting request when the connection ends.
///
/// Confined to the channel's event loop.
final class PeerResponseHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = (ByteBuffer, EventLoopPromise<ByteBuffer>)
    typealias OutboundOut = ByteBuffer

    private var pending = CircularBuffer<EventLoopPromise<ByteBuffer>>()
    private let peer: String

    init(peer: String) {
        self.peer = peer
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let (frame, response) = unwrapOutboundIn(data)
        pending.append(response)
        context.writeAndFlush(wrapOutboundOut(frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let waiting = pending.popFirst() else {
            // A response nobody asked for: the peer is confused or hostile.
            context.close(promise: nil)
            return
        }
        waiting.succeed(frame)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll()
        context.close(promise: nil)
    }

    private func failAll() {
        while let waiting = pending.popFirst() {
            waiting.fail(PeerConnectionError.closed(peer: peer))
        }
    }
}
