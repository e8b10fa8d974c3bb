import BasaltKafka
import NIOCore
import NIOPosix
import NIOSSL
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

    /// Connects to `host`:`port`, in TLS and authenticated with SASL when `security` says so.
    ///
    /// - Parameter maxResponseBytes: the largest response frame accepted.
    static func connect(
        host: String, port: Int, group: any EventLoopGroup, clientId: String,
        maxResponseBytes: Int, timeout: Duration, security: PeerSecurity = PeerSecurity()
    ) async throws(PeerConnectionError) -> PeerConnection {
        let peer = "\(host):\(port)"
        let tls = security.tls?.client
        let connection: PeerConnection
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            // No SNI: peers register addresses, often IPs; the chain is still
                            // verified against the truststore.
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: nil))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxResponseBytes, minFrameBytes: 4)))
                        try channel.pipeline.syncOperations.addHandler(PeerResponseHandler(peer: peer))
                    }
                }
                .connect(host: host, port: port)
                .get()
            connection = PeerConnection(channel: channel, peer: peer, clientId: clientId)
        } catch {
            throw .connectFailed(peer: peer, reason: "\(error)")
        }
        if let sasl = security.sasl {
            do {
                try await connection.authenticate(mechanism: sasl.mechanism, username: sasl.username,
                                                   password: sasl.password, timeout: timeout)
            } catch {
                connection.close()
                throw error
            }
        }
        return connection
    }

    /// SaslHandshake v1, then the mechanism's tokens in SaslAuthenticate v1 requests.
    private func authenticate(mechanism: SaslMechanism, username: String, password: [UInt8],
                              timeout: Duration) async throws(PeerConnectionError) {
        let handshake = try await send(.saslHandshake(SaslHandshakeRequest(mechanism: mechanism.rawValue)), version: 1,
                                       timeout: timeout)
        guard case .saslHandshake(let answer) = handshake, answer.errorCode == .noError else {
            throw .authenticationFailed(peer: peer, reason: "\(mechanism.rawValue) not enabled on the peer")
        }
        func exchange(_ token: [UInt8]) async throws(PeerConnectionError) -> [UInt8] {
            let response = try await send(.saslAuthenticate(SaslAuthenticateRequest(authBytes: ByteBuffer(bytes: token))),
                                          version: 1, timeout: timeout)
            guard case .saslAuthenticate(let body) = response, body.errorCode == .noError else {
                let message: String
                if case .saslAuthenticate(let body) = response { message = body.errorMessage ?? "error \(body.errorCode)" } else { message = "unexpected response" }
                throw .authenticationFailed(peer: peer, reason: message)
            }
            return Array(body.authBytes.readableBytesView)
        }
        guard let hash = mechanism.scramHash else {
            _ = try await exchange([0] + Array(username.utf8) + [0] + password)
            return
        }
        var client = ScramClientExchange(hash: hash, username: username, password: password)
        let serverFirst = try await exchange(client.clientFirst)
        guard let final = client.clientFinal(serverFirst: serverFirst) else {
            throw .authenticationFailed(peer: peer, reason: "malformed SCRAM server-first message")
        }
        let serverFinal = try await exchange(final)
        guard client.verify(serverFinal: serverFinal) else {
            throw .authenticationFailed(peer: peer, reason: "the peer's SCRAM server signature does not verify")
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
