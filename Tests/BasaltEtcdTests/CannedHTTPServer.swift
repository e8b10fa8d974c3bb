import NIOCore
import NIOPosix
import Synchronization

/// A real TCP server on loopback that answers every connection with the same raw bytes and ends
/// it: stands in for a broken etcd or a man in the middle, so the client's handling of hostile
/// responses is tested over a real socket and the real HTTP parser.
final class CannedHTTPServer: Sendable {
    private let channel: any Channel
    private let accepted = ConnectionCount()
    var port: Int { channel.localAddress?.port ?? 0 }
    /// Connections accepted so far.
    var connections: Int { accepted.value.load(ordering: .acquiring) }

    /// A server answering `response`, after closing its first `droppedConnections` connections
    /// as soon as their request arrives, unanswered (an etcd that drops a connection early).
    init(response: [UInt8], droppedConnections: Int = 0) async throws {
        let accepted = self.accepted
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                let index = accepted.value.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        CannedResponseHandler(response: response, drop: index < droppedConnections))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    func close() async throws {
        try await channel.close()
    }
}

/// The connections a ``CannedHTTPServer`` accepted, shared with its child initializer.
private final class ConnectionCount: Sendable {
    let value = Atomic<Int>(0)
}

/// Sends the canned bytes when the first request bytes arrive, then ends its side of the connection.
private final class CannedResponseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let response: [UInt8]
    private let drop: Bool
    private var answered = false

    init(response: [UInt8], drop: Bool) {
        self.response = response
        self.drop = drop
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        if drop {
            context.close(promise: nil)
            return
        }
        let buffer = context.channel.allocator.buffer(bytes: response)
        // Half-close: a full close while request bytes are still unread would send an RST, and the
        // client could lose the response we mean to test. NIO closes the rest when the client hangs up.
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
        }
    }
}
