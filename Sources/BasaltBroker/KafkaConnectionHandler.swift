import Basalt
import Glibc
import Logging
import NIOCore

/// Serves one client connection: takes the frames ``KafkaFrameDecoder`` cuts, hands them
/// to the ``Broker`` one at a time, and writes the responses in request order, as Kafka
/// does (clients match responses by order as well as correlation id).
///
/// Frames that arrive while a request is being handled wait in a queue; once the queue
/// holds more than ``BrokerConfiguration/maxInFlightBytesPerConnection`` bytes, or the
/// socket's send buffer is full, the handler stops reading from the socket until it
/// drains, so a client that pipelines without reading costs bounded memory.
///
/// Every method runs on the channel's event loop; the only state shared with other
/// threads is the ``Broker`` (Sendable) and the futures hopped back to the loop.
final class KafkaConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let broker: Broker
    private let connection: ConnectionInfo
    private let maxQueuedBytes: Int
    private var waiting = CircularBuffer<ByteBuffer>()
    private var queuedBytes = 0
    private var busy = false
    private var readHeld = false
    private var closed = false

    init(broker: Broker, connection: ConnectionInfo, maxQueuedBytes: Int) {
        self.broker = broker
        self.connection = connection
        self.maxQueuedBytes = maxQueuedBytes
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
        let future = context.eventLoop.makeFutureWithTask {
            await broker.handle(frame: frame, connection: connection)
        }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        future.whenSuccess { outcome in
            bound.value.handler.finish(outcome, frameBytes: size, context: bound.value.context)
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

    private func write(_ frame: ResponseFrame, context: ChannelHandlerContext) {
        var handles: [NIOFileHandle] = []
        var writes: [IOData] = []
        writes.reserveCapacity(frame.parts.count)
        for part in frame.parts {
            switch part {
            case .bytes(let buffer):
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

    /// Connection `id` from `peer` (shown to group admin tools as `clientHost`), acting as `principal`.
    public init(id: UInt64, peer: String, clientHost: String = "", principal: KafkaPrincipal = .anonymous) {
        self.id = id
        self.peer = peer
        self.clientHost = clientHost
        self.principal = principal
    }
}
