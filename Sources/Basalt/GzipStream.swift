import CZlib

/// gzip (RFC 1952) as Kafka clients use it for codec 1.
///
/// The Java client writes one gzip member with `GZIPOutputStream`, librdkafka and
/// kafka-python one member through zlib. Compression writes one member at zlib's default
/// level, the level `GZIPOutputStream` uses. Decompression accepts one or more
/// concatenated members, as `GZIPInputStream` reads them, and checks each member's
/// CRC-32 and length trailer. It rejects zlib and raw deflate streams, bytes after the
/// last member that are not a member, truncated members and output past a limit.
public enum GzipStream {
    /// Compresses `input` into one gzip member.
    ///
    /// - Throws: ``BasaltError/messageTooLarge(bytes:limit:)`` for input of 2 GiB or
    ///   more (no batch is that large, and zlib counts its output in 32 bits);
    ///   ``BasaltError/corruptCompressedData(reason:)`` if zlib fails, which it only
    ///   does when out of memory.
    public static func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard input.count <= Int(Int32.max) else {
            throw BasaltError.messageTooLarge(bytes: input.count, limit: Int(Int32.max))
        }
        // zlib checks that a stream's state points back at the stream, so the z_stream
        // needs an address that stays put across calls: a Swift local may be moved.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        let started = deflateInit2_(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY,
                                    zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard started == Z_OK else { throw failure("deflateInit2", status: started, stream) }
        defer { deflateEnd(stream) }

        // deflateBound counts the gzip header and trailer once the stream is set up for gzip.
        let bound = Int(deflateBound(stream, uLong(input.count)))
        var status = Z_OK
        let member = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = buffer.baseAddress
            stream.pointee.avail_out = uInt(bound)
            status = deflate(stream, Z_FINISH)
            count = status == Z_STREAM_END ? bound - Int(stream.pointee.avail_out) : 0
        }
        guard status == Z_STREAM_END else { throw failure("deflate", status: status, stream) }
        return member
    }

    /// Decompresses one or more concatenated gzip members.
    ///
    /// - Parameters:
    ///   - input: the members; every byte must belong to one.
    ///   - expectedSize: a guess of the decompressed size, to size the output in one go.
    ///     The last member's length trailer is used when it is larger.
    ///   - limit: the most bytes the output may hold; a stream that decompresses to more
    ///     is rejected, so a small hostile batch cannot claim gigabytes of memory.
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` for a damaged, truncated
    ///   or oversized stream, or input that is no gzip member.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, expectedSize: Int = 0, limit: Int
    ) throws -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        let started = inflateInit2_(stream, gzipWindowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard started == Z_OK else { throw failure("inflateInit2", status: started, stream) }
        defer { inflateEnd(stream) }

        var inputPosition = 0
        return try BoundedOutput.collect(codec: "gzip stream", firstGuess: firstGuess(input, expectedSize), limit: limit) {
            buffer, written in
            while true {
                // avail_in and avail_out are 32-bit: feed input over 4 GiB in pieces.
                let inputPiece = min(input.count - inputPosition, Int(UInt32.max))
                let room = min(buffer.count - written, Int(UInt32.max))
                stream.pointee.next_in = input.baseAddress.map { ($0 + inputPosition).assumingMemoryBound(to: Bytef.self) }
                stream.pointee.avail_in = uInt(inputPiece)
                stream.pointee.next_out = (buffer.baseAddress! + written).assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(room)
                let status = inflate(stream, Z_NO_FLUSH)
                inputPosition += inputPiece - Int(stream.pointee.avail_in)
                written += room - Int(stream.pointee.avail_out)
                switch status {
                case Z_STREAM_END:
                    // A member ended with a good trailer; whatever follows must be another.
                    if inputPosition == input.count { return .finished }
                    let reset = inflateReset(stream)
                    guard reset == Z_OK else { throw failure("inflateReset", status: reset, stream) }
                case Z_OK, Z_BUF_ERROR:
                    if written == buffer.count { return .outputFull }
                    // inflate stops short of the end with room to write only when it has
                    // used up its input: the member is cut off.
                    if inputPosition == input.count {
                        throw BasaltError.corruptCompressedData(reason: "gzip stream is truncated")
                    }
                    guard status == Z_OK else { throw failure("inflate", status: status, stream) }
                default:
                    throw failure("inflate", status: status, stream)
                }
            }
        }
    }

    /// 15 (a 32 KiB window, deflate's largest) + 16: a gzip wrapper rather than zlib's.
    private static let gzipWindowBits: Int32 = 15 + 16

    /// deflate expands at most about 1032:1, so no gzip stream decompresses to more than
    /// this many times its size; a larger guess (a hostile record count) is not allocated.
    private static let maximumRatio = 1032

    /// The expected size, or the last member's ISIZE trailer (its length modulo 2³²)
    /// when that is larger, capped at what deflate can produce from this much input.
    private static func firstGuess(_ input: UnsafeRawBufferPointer, _ expectedSize: Int) -> Int {
        var guess = expectedSize
        if input.count >= 18 {
            let trailer = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: input.count - 4, as: UInt32.self))
            guess = max(guess, Int(trailer))
        }
        return input.count > Int.max / maximumRatio ? guess : min(guess, input.count * maximumRatio)
    }

    private static func failure(_ call: String, status: Int32, _ stream: UnsafeMutablePointer<z_stream>) -> BasaltError {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
        return BasaltError.corruptCompressedData(reason: "gzip: \(call) failed: \(message)")
    }
}
