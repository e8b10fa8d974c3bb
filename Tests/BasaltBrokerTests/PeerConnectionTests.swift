import BasaltKafka
import NIOCore
import NIOPosix
import Testing
@testable import BasaltBroker

/// A follower trusts its leader's bytes no more than a broker trusts a client's: whatever a
/// peer answers gives a response or a typed error, never a trap or a hang.
@Suite struct PeerConnectionTests {
    /// A fake peer that answers every request frame with `reply(correlationId)`.
    final class CannedPeer: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: @Sendable (Int32) -> [UInt8]?

        init(reply: @escaping @Sendable (Int32) -> [UInt8]?) {
            self.reply = reply
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var frame = unwrapInboundIn(data)
            // api key, version, then the correlation id.
            frame.moveReaderIndex(forwardBy: 4)
            guard let correlation = frame.readInteger(endianness: .big, as: Int32.self) else { return }
            guard let bytes = reply(correlation) else { return }  // say nothing
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
        }
    }

    static func withPeer(
        _ reply: @escaping @Sendable (Int32) -> [UInt8]?, _ body: (PeerConnection) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: 1 << 20)))
                    try channel.pipeline.syncOperations.addHandler(CannedPeer(reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let connection = try await PeerConnection.connect(
            host: "127.0.0.1", port: port, group: group, clientId: "test", maxResponseBytes: 1 << 16, timeout: .seconds(5))
        do {
            try await body(connection)
        } catch {
            connection.close()
            try await server.close()
            throw error
        }
        connection.close()
        try await server.close()
    }

    static func frame(_ body: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: Int32(body.count).bigEndian) { Array($0) } + body
    }

    static func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    static let request = KafkaRequest.apiVersions(ApiVersionsRequest())

    @Test func aWellFormedAnswerDecodes() async throws {
        try await Self.withPeer({ correlation in
            // ApiVersions v0: error 0, no keys.
            Self.frame(Self.int32(correlation) + [0, 0] + Self.int32(0))
        }) { connection in
            let response = try await connection.send(Self.request, version: 0, timeout: .seconds(5))
            guard case .apiVersions(let body) = response else { Issue.record("not ApiVersions"); return }
            #expect(body.apiKeys.isEmpty)
        }
    }

    @Test func garbageIsATypedError() async throws {
        try await Self.withPeer({ correlation in Self.frame(Self.int32(correlation) + [0xFF, 0xFF, 0x7F]) }) { connection in
            await #expect(throws: PeerConnectionError.self) {
                try await connection.send(Self.request, version: 0, timeout: .seconds(5))
            }
        }
    }

    @Test func aWrongCorrelationIdIsATypedError() async throws {
        try await Self.withPeer({ correlation in Self.frame(Self.int32(correlation &+ 7) + [0, 0] + Self.int32(0)) }) { connection in
            await #expect(throws: PeerConnectionError.self) {
                try await connection.send(Self.request, version: 0, timeout: .seconds(5))
            }
        }
    }

    @Test func anOversizedOrNegativeFrameClosesTheConnection() async throws {
        for size: Int32 in [Int32.max, -5, 2, 1 << 17] {
            try await Self.withPeer({ _ in Self.int32(size) + [UInt8](repeating: 0, count: 8) }) { connection in
                await #expect(throws: PeerConnectionError.self, "size \(size)") {
                    try await connection.send(Self.request, version: 0, timeout: .seconds(5))
                }
            }
        }
    }

    @Test func silenceTimesOut() async throws {
        try await Self.withPeer({ _ in nil }) { connection in
            await #expect(throws: PeerConnectionError.self) {
                try await connection.send(Self.request, version: 0, timeout: .milliseconds(200))
            }
            #expect(!connection.isActive)
        }
    }
}
