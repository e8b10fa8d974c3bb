import NIOCore
import NIOPosix

/// A real TCP server on loopback that answers every connection with the same raw bytes and ends
/// it: stands in for a broken etcd or a man in the middle, so the client's handling of hostile
/// responses is tested over a real socket and the real HTTP parser.
final class CannedHTTPServer: Sendable {
    private let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(response: [UInt8]) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(CannedResponseHandler(response: response))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    func close() async throws {
        try await channel.close()
    }
}

/// Sends the canned bytes when the first request bytes arrive, then ends its side of the connection.
private final class CannedResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let response: [UInt8]
    private var answered = false

    init(response: [UInt8]) { self.response = response }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        let buffer = context.channel.allocator.buffer(bytes: response)
        // Half-close: a full close while request bytes are still unread would send an RST, and the
        // client could lose the response we mean to test. NIO closes the rest when the client hangs up.
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
    }
}
