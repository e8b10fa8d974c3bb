import CZstd

/// Zstandard (RFC 8878) as Kafka clients use it for codec 4.
///
/// The Java client streams one frame through zstd-jni and leaves out the content size;
/// librdkafka and kafka-python write one frame, with the content size. Compression writes
/// one frame at level 3, Kafka's default, with the content size. Decompression streams, so
/// it needs no content size: it accepts one or more concatenated frames (and skippable
/// frames between them), checks each frame's checksum when it has one, and rejects
/// truncated frames, bytes after the last frame that are not a frame, windows above
/// 128 MiB and output past a limit.
public enum ZstdStream {
    /// Compresses `input` into one frame that records its content size.
    ///
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` if libzstd fails, which
    ///   it only does when out of memory or for input near the address-space limit.
    public static func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        guard ZSTD_isError(bound) == 0 else { throw failure("ZSTD_compressBound", bound) }
        var failed: Int?
        let frame = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            // An empty input's base address may be nil; zstd wants a pointer either way.
            let written = withUnsafeBytes(of: UInt8(0)) { empty in
                ZSTD_compress(buffer.baseAddress, bound, input.baseAddress ?? empty.baseAddress, input.count,
                              ZSTD_CLEVEL_DEFAULT)
            }
            if ZSTD_isError(written) != 0 {
                failed = written
                count = 0
            } else {
                count = written
            }
        }
        if let failed { throw failure("ZSTD_compress", failed) }
        return frame
    }

    /// Decompresses one or more concatenated zstd frames.
    ///
    /// - Parameters:
    ///   - input: the frames; every byte must belong to one.
    ///   - expectedSize: a guess of the decompressed size, to size the output in one go.
    ///     The first frame's content size is used instead when it has one.
    ///   - limit: the most bytes the output may hold; a stream that decompresses to more
    ///     is rejected, so a small hostile batch cannot claim gigabytes of memory.
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` for a damaged, truncated
    ///   or oversized stream, or input that is no zstd frame.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, expectedSize: Int = 0, limit: Int
    ) throws -> [UInt8] {
        guard let context = ZSTD_createDCtx() else {
            throw BasaltError.corruptCompressedData(reason: "zstd: cannot create a decompression context")
        }
        defer { ZSTD_freeDCtx(context) }
        // Streaming keeps a window buffer of the size the frame declares, up to this
        // maximum. Set explicitly so a libzstd with another default cannot let a hostile
        // frame claim more; 2^27 (zstd's and zstd-jni's default) still admits frames
        // written at level 22, whose window is 128 MiB when the size is not known.
        let set = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, maximumWindowLog)
        guard ZSTD_isError(set) == 0 else { throw failure("ZSTD_DCtx_setParameter", set) }

        // libzstd checks a declared content size against what the frame decodes to, so a
        // first frame that declares more than the limit is refused before any decoding.
        let declared = declaredSize(input)
        if let declared, declared > limit {
            throw BasaltError.corruptCompressedData(
                reason: "zstd stream decompresses to more than the limit of \(limit) bytes (its frame declares \(declared))")
        }
        let guess = declared ?? (input.count > Int.max / guessRatio ? expectedSize : min(expectedSize, input.count * guessRatio))

        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        return try BoundedOutput.collect(codec: "zstd stream", firstGuess: guess, limit: limit) {
            buffer, written in
            while true {
                var target = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: written)
                let consumedBefore = source.pos
                let hint = ZSTD_decompressStream(context, &target, &source)
                let produced = target.pos - written
                written = target.pos
                guard ZSTD_isError(hint) == 0 else { throw failure("ZSTD_decompressStream", hint) }
                if hint == 0 {
                    // A frame ended and all of its output is written; more input is the
                    // next frame, which the context starts on by itself.
                    if source.pos == source.size { return .finished }
                    continue
                }
                if written == buffer.count { return .outputFull }
                // A non-zero hint means "more input": with room left and none to give,
                // the frame is cut off. Empty input ends up here too.
                if source.pos == source.size {
                    throw BasaltError.corruptCompressedData(reason: "zstd stream is truncated")
                }
                guard source.pos > consumedBefore || produced > 0 else {
                    throw BasaltError.corruptCompressedData(reason: "zstd: decompression made no progress")
                }
            }
        }
    }

    /// log2 of the largest window a frame may declare: 128 MiB.
    private static let maximumWindowLog: Int32 = 27

    /// Without a declared size, a guess beyond this many times the input (a hostile
    /// record count) is capped: a batch's records rarely compress better, and the output
    /// grows when they do.
    private static let guessRatio = 255

    /// The content size the first frame declares, or nil when it declares none (or is
    /// no frame, which decoding then reports).
    private static func declaredSize(_ input: UnsafeRawBufferPointer) -> Int? {
        guard let base = input.baseAddress else { return nil }
        let declared = ZSTD_getFrameContentSize(base, input.count)
        // ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are the two largest values.
        guard declared < ZSTD_CONTENTSIZE_ERROR else { return nil }
        return declared <= UInt64(Int.max) ? Int(declared) : Int.max
    }

    private static func failure(_ call: String, _ code: Int) -> BasaltError {
        BasaltError.corruptCompressedData(reason: "zstd: \(call) failed: \(String(cString: ZSTD_getErrorName(code)))")
    }
}
