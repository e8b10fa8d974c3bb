import BasaltKafka
import NIOCore
import NIOPosix
import Synchronization

/// One TCP connection to another broker, speaking the Kafka protocol as a client: what a
/// follower uses to fetch from its leader.
///
/// Requests go one at a time or pipelined; each has a deadline, and a request that misses
/// it closes the connection (its response would otherwise be taken for the next one's).
/// Response frames are bounded, and a response that does not decode closes the connection
/// with a typed error: the peer is trusted no more than a client.
final class PeerConnection: Sendable {
    let peer: String
    private let channel: any Channel
    private let clientId: String
    private let nextCorrelation = Atomic<Int32>(1)

    private init(channel: any Channel, peer: String, clientId: String) {
        self.channel = channel
        self.peer = peer
        self.clientId = clientId
    }

    /// Connects to `host`:`port`.
    ///
    /// - Parameter maxResponseBytes: the largest response frame accepted.
    static func connect(
        host: String, port: Int, group: any EventLoopGroup, clientId: String,
        maxResponseBytes: Int, timeout: Duration
    ) async throws(PeerConnectionError) -> PeerConnection {
        let peer = "\(host):\(port)"
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxResponseBytes, minFrameBytes: 4)))
                        try channel.pipeline.syncOperations.addHandler(PeerResponseHandler(peer: peer))
                    }
                }
                .connect(host: host, port: port)
                .get()
            return PeerConnection(channel: channel, peer: peer, clientId: clientId)
        } catch {
            throw .connectFailed(peer: peer, reason: "\(error)")
        }
    }

    /// Whether the connection is still open.
    var isActive: Bool { channel.isActive }

    /// Sends `request` in `version` and waits for its response, up to `timeout`.
    func send(_ request: KafkaRequest, version: Int16, timeout: Duration) async throws(PeerConnectionError) -> KafkaResponse {
        let correlation = nextCorrelation.add(1, ordering: .relaxed).newValue
        var frame = channel.allocator.buffer(capacity: 256)
        do {
            try request.encodeFrame(
                header: RequestHeader(apiKey: request.apiKey, apiVersion: version, correlationId: correlation, clientId: clientId),
                into: &frame)
        } catch {
            throw .malformedResponse(peer: peer, reason: "cannot encode \(request.apiKey): \(error)")
        }
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        // The timer only closes the connection; the handler then fails the request, so the
        // promise is completed in exactly one place.
        let expired = Atomic<Bool>(false)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) { [channel] in
            expired.store(true, ordering: .relaxed)
            channel.close(promise: nil)
        }
        // A write that never reaches the handler (the connection already closed) fails
        // here; NIO ignores the second completion when the handler failed it too.
        let peer = self.peer
        channel.writeAndFlush((frame, promise)).whenFailure { _ in promise.fail(PeerConnectionError.closed(peer: peer)) }
        let body: ByteBuffer
        do {
            body = try await promise.futureResult.get()
            timer.cancel()
        } catch {
            timer.cancel()
            if expired.load(ordering: .relaxed) { throw .timedOut(peer: peer, api: "\(request.apiKey)") }
            throw .closed(peer: peer)
        }
        var response = body
        do {
            let (header, decoded) = try KafkaResponse.decode(frame: &response, apiKey: request.apiKey, version: version)
            guard header.correlationId == correlation else {
                close()
                throw PeerConnectionError.malformedResponse(
                    peer: peer, reason: "correlation id \(header.correlationId), expected \(correlation)")
            }
            return decoded
        } catch let error as PeerConnectionError {
            throw error
        } catch {
            close()
            throw .malformedResponse(peer: peer, reason: "\(error)")
        }
    }

    /// Closes the connection; waiting requests fail with ``PeerConnectionError/closed(peer:)``.
    func close() {
        channel.close(promise: nil)
    }
}
