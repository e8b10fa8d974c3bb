import Basalt
import BasaltKafka
import Glibc
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Serves one client connection: takes the frames ``KafkaFrameDecoder`` cuts, hands them
/// to the ``Broker`` one at a time, and writes the responses in request order, as Kafka
/// does (clients match responses by order as well as correlation id).
///
/// Frames that arrive while a request is being handled wait in a queue; once the queue
/// holds more than ``BrokerConfiguration/maxInFlightBytesPerConnection`` bytes, or the
/// socket's send buffer is full, the handler stops reading from the socket until it
/// drains, so a client that pipelines without reading costs bounded memory.
///
/// On a SASL listener nothing but ApiVersions and the SASL exchange (``SaslServerSession``)
/// is served until the connection authenticates; any other request closes it. This is
/// the one place that gate lives. On a TLS listener the client certificate's subject
/// becomes the principal once the handshake completes (SASL's replaces it on SASL_SSL),
/// and stored batches are read into buffers, since `sendfile` cannot go through TLS.
///
/// Every method runs on the channel's event loop; the only state shared with other
/// threads is the ``Broker`` (Sendable) and the futures hopped back to the loop.
final class KafkaConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let broker: Broker
    private var connection: ConnectionInfo
    private let maxQueuedBytes: Int
    private let sasl: SaslServerSession?
    private let tls: Bool
    private var authenticated: Bool
    private var rawTokenNext = false
    private let frameLimits: FrameLimits?
    private var waiting = CircularBuffer<ByteBuffer>()
    private var queuedBytes = 0
    private var busy = false
    private var readHeld = false
    private var closed = false

    /// - Parameters:
    ///   - sasl: the connection's SASL exchange on a SASL listener; nil elsewhere.
    ///   - tls: whether the connection runs inside TLS (no `sendfile`; principal from the
    ///     client certificate).
    ///   - frameLimits: the decoder's bounds, widened to `socket.request.max.bytes` once the
    ///     connection authenticates.
    init(broker: Broker, connection: ConnectionInfo, maxQueuedBytes: Int, sasl: SaslServerSession? = nil, tls: Bool = false,
         frameLimits: FrameLimits? = nil) {
        self.frameLimits = frameLimits
        self.broker = broker
        self.connection = connection
        self.maxQueuedBytes = maxQueuedBytes
        self.sasl = sasl
        self.tls = tls
        self.authenticated = sasl == nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, sasl == nil,
           let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
           let certificate = handler.peerCertificate {
            guard let principal = CertificatePrincipal.principal(of: certificate) else {
                broker.logger.warning("closing connection: client certificate subject cannot be read",
                                      metadata: ["peer": "\(connection.peer)"])
                close(context: context)
                return
            }
            connection.principal = principal
            broker.logger.debug("TLS client authenticated", metadata: ["peer": "\(connection.peer)", "principal": "\(principal)"])
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        queuedBytes += frame.readableBytes
        waiting.append(frame)
        startNext(context: context)
    }

    func read(context: ChannelHandlerContext) {
        if queuedBytes > maxQueuedBytes || !context.channel.isWritable {
            readHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReadingIfPossible(context: context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        waiting.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // One line per bad connection; the broker goes on serving everyone else.
        if let frameError = error as? KafkaFrameError {
            broker.logger.warning("closing connection: \(frameError)", metadata: ["peer": "\(connection.peer)"])
        } else if error is NIOSSLError || error is BoringSSLError {
            // An untrusted or expired client certificate, a plaintext client on a TLS port.
            broker.metrics.recordTLSHandshakeFailure()
            broker.logger.warning("closing connection: TLS failed: \(error)",
                                  metadata: ["peer": "\(connection.peer)", "listener": "\(connection.listener)"])
        } else if !(error is ChannelError), (error as? IOError)?.errnoCode != ECONNRESET {
            broker.logger.info("closing connection: \(error)", metadata: ["peer": "\(connection.peer)"])
        }
        close(context: context)
    }

    private func startNext(context: ChannelHandlerContext) {
        guard !busy, !closed, !broker.isDraining, let frame = waiting.popFirst() else { return }
        busy = true
        broker.requestStarted()
        let size = frame.readableBytes
        let broker = self.broker
        let connection = self.connection
        let future: EventLoopFuture<SaslStep>
        if let sasl, !authenticated {
            let apiKey = frame.getInteger(at: frame.readerIndex, as: Int16.self)
            if rawTokenNext || apiKey == ApiKey.saslHandshake.rawValue || apiKey == ApiKey.saslAuthenticate.rawValue {
                let raw = rawTokenNext
                future = context.eventLoop.makeFutureWithTask { await sasl.handle(frame: frame, raw: raw) }
            } else if apiKey == ApiKey.apiVersions.rawValue {
                future = context.eventLoop.makeFutureWithTask { SaslStep(outcome: await broker.handle(frame: frame, connection: connection)) }
            } else {
                broker.metrics.recordUnauthenticatedRequest()
                let name = apiKey.flatMap { ApiKey(rawValue: $0) }.map { "\($0)" } ?? "request"
                future = context.eventLoop.makeSucceededFuture(SaslStep(outcome: .close(reason: "\(name) before SASL authentication")))
            }
        } else {
            future = context.eventLoop.makeFutureWithTask { SaslStep(outcome: await broker.handle(frame: frame, connection: connection)) }
        }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        future.whenSuccess { step in
            let handler = bound.value.handler
            if let principal = step.principal {
                handler.connection.principal = principal
                handler.authenticated = true
                handler.frameLimits?.maxFrameBytes = handler.broker.configuration.maxRequestBytes
            }
            handler.rawTokenNext = step.expectsRawToken
            // A raw v0 token has no request header, so it may be shorter than one.
            handler.frameLimits?.minFrameBytes = step.expectsRawToken ? 0 : 10
            if step.failed, case .respond(let frame) = step.outcome {
                // A failed authentication is answered, then the connection closes, as in
                // Kafka: the client reconnects to try again (after the delay it waited).
                handler.finishWithFinalResponse(frame, frameBytes: size, context: bound.value.context)
                return
            }
            handler.finish(step.outcome, frameBytes: size, context: bound.value.context)
        }
    }

    private func finish(_ outcome: RequestOutcome, frameBytes: Int, context: ChannelHandlerContext) {
        busy = false
        queuedBytes -= frameBytes
        broker.requestFinished()
        guard !closed else { return }
        switch outcome {
        case .respond(let frame):
            write(frame, context: context)
        case .noResponse:
            break
        case .close(let reason):
            broker.logger.warning("closing connection: \(reason)", metadata: ["peer": "\(connection.peer)"])
            close(context: context)
            return
        }
        resumeReadingIfPossible(context: context)
        startNext(context: context)
    }

    private func finishWithFinalResponse(_ frame: ResponseFrame, frameBytes: Int, context: ChannelHandlerContext) {
        busy = false
        queuedBytes -= frameBytes
        broker.requestFinished()
        guard !closed else { return }
        closed = true
        waiting.removeAll()
        let bytes = frame.parts.compactMap { part -> ByteBuffer? in
            if case .bytes(let buffer) = part { return buffer }
            return nil
        }
        for buffer in bytes.dropLast() { context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil) }
        guard let last = bytes.last else {
            context.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(last))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }

    private func write(_ frame: ResponseFrame, context: ChannelHandlerContext) {
        var handles: [NIOFileHandle] = []
        var writes: [IOData] = []
        writes.reserveCapacity(frame.parts.count)
        for part in frame.parts {
            switch part {
            case .bytes(let buffer):
                writes.append(.byteBuffer(buffer))
            case .file(let slice) where tls:
                // sendfile writes the file's bytes to the socket, around TLS: read them into
                // a buffer for the TLS handler to encrypt instead (one pread per slice).
                guard let buffer = Self.read(slice, allocator: context.channel.allocator) else {
                    broker.logger.error("reading a segment for a TLS fetch failed: errno \(errno); closing connection",
                                        metadata: ["peer": "\(connection.peer)"])
                    for handle in handles { try? handle.close() }
                    close(context: context)
                    return
                }
                writes.append(.byteBuffer(buffer))
            case .file(let slice):
                // One duplicated descriptor per send: NIOFileHandle allows one user at a
                // time, and the slice's own descriptor is shared with the log.
                let descriptor = dup(slice.file.descriptor)
                guard descriptor >= 0 else {
                    broker.logger.error("dup failed: errno \(errno); closing connection", metadata: ["peer": "\(connection.peer)"])
                    for handle in handles { try? handle.close() }
                    close(context: context)
                    return
                }
                let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
                handles.append(handle)
                writes.append(.fileRegion(FileRegion(fileHandle: handle, readerIndex: Int(slice.position),
                                                     endIndex: Int(slice.position) + slice.length)))
            }
        }
        guard let last = writes.popLast() else { return }
        for data in writes { context.write(wrapOutboundOut(data), promise: nil) }
        if handles.isEmpty {
            context.writeAndFlush(wrapOutboundOut(last), promise: nil)
            return
        }
        // Writes complete in order, so the frame's last write finishing means every region
        // of it was sent (or failed); only then can the descriptors close.
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(last), promise: promise)
        let opened = handles
        promise.futureResult.whenComplete { _ in
            for handle in opened { try? handle.close() }
        }
    }

    /// The bytes of `slice`, read with `pread` straight into a buffer of its size; nil on a
    /// read error or a file shorter than the slice (truncated under us).
    private static func read(_ slice: LogSlice, allocator: ByteBufferAllocator) -> ByteBuffer? {
        var buffer = allocator.buffer(capacity: slice.length)
        var done = 0
        while done < slice.length {
            var result = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: slice.length - done) { target in
                result = pread(slice.file.descriptor, target.baseAddress, slice.length - done, off_t(slice.position) + off_t(done))
                return max(result, 0)
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { return nil }
            done += result
        }
        return buffer
    }

    private func resumeReadingIfPossible(context: ChannelHandlerContext) {
        guard readHeld, queuedBytes <= maxQueuedBytes, context.channel.isWritable else { return }
        readHeld = false
        context.read()
    }

    private func close(context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        waiting.removeAll()
        context.close(promise: nil)
    }
}

/// Who is on the other end of a connection: for logs, and for authorisation.
public struct ConnectionInfo: Sendable {
    /// Connection number, unique in the process.
    public var id: UInt64
    /// The peer's address.
    public var peer: String
    /// The peer's IP address as Kafka shows a member's host in DescribeGroups: "/127.0.0.1".
    public var clientHost: String = ""
    /// Whom the connection acts as; ``KafkaPrincipal/anonymous`` until it authenticates.
    public var principal: KafkaPrincipal = .anonymous
    /// The name of the listener the connection came in on (Metadata answers with that
    /// listener's addresses).
    public var listener: String = SecurityProtocol.plaintext.rawValue

    /// Connection `id` from `peer` (shown to group admin tools as `clientHost`) on `listener`,
    /// acting as `principal`.
    public init(id: UInt64, peer: String, clientHost: String = "", principal: KafkaPrincipal = .anonymous,
                listener: String = SecurityProtocol.plaintext.rawValue) {
        self.id = id
        self.peer = peer
        self.clientHost = clientHost
        self.principal = principal
        self.listener = listener
    }
}
