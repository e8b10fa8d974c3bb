import NIOCore

/// Splits the byte stream of a connection into Kafka frames: a big-endian int32 size, then
/// that many bytes. Emits the bytes after the size as one `ByteBuffer` slice. Requests
/// from clients and responses from peer brokers are framed alike; only the smallest valid
/// size differs.
///
/// The size is checked as soon as its four bytes arrive, before the frame's bytes are
/// waited for, so a negative or oversized prefix costs nothing: the connection is closed
/// (``KafkaFrameError``) and no buffer ever grows towards the claimed size.
struct KafkaFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxFrameBytes: Int
    /// The smallest frame: a request header is at least 10 bytes (api key, version,
    /// correlation id, client id length), a response header 4 (correlation id).
    var minFrameBytes: Int = 10
    /// Bounds the connection handler changes as the connection authenticates; when set,
    /// they replace the two above.
    var limits: FrameLimits?

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return .needMoreData
        }
        let minFrameBytes = limits?.minFrameBytes ?? self.minFrameBytes
        let maxFrameBytes = limits?.maxFrameBytes ?? self.maxFrameBytes
        guard Int(size) >= minFrameBytes else { throw KafkaFrameError.invalidSize(Int(size)) }
        guard Int(size) <= maxFrameBytes else { throw KafkaFrameError.tooLarge(size: Int(size), limit: maxFrameBytes) }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        guard let frame = buffer.readSlice(length: Int(size)) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // Bytes of an unfinished frame at EOF are dropped: the client went away mid-request.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}

/// Why a connection's byte stream was rejected.
enum KafkaFrameError: Error, Equatable, CustomStringConvertible {
    /// The size prefix is below the smallest header.
    case invalidSize(Int)
    /// The size prefix is above the configured maximum request size.
    case tooLarge(size: Int, limit: Int)

    var description: String {
        switch self {
        case .invalidSize(let size): "invalid frame size \(size)"
        case .tooLarge(let size, let limit): "frame of \(size) bytes exceeds the limit of \(limit)"
        }
    }
}
