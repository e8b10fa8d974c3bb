/// One entry point to every codec, for code that holds a batch's codec rather than a
/// particular format: the record batch decoder and encoder, `basalt-inspect`.
extension CompressionCodec {
    /// Compresses a records section into what a batch of this codec carries, as Kafka's
    /// Java client writes it (see ``GzipStream``, ``SnappyStream``, ``LZ4Frame`` and
    /// ``ZstdStream`` for the exact forms). ``none`` returns the bytes as they are.
    ///
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` when the library fails,
    ///   which in practice means out of memory; ``BasaltError/messageTooLarge(bytes:limit:)``
    ///   for gzip input of 2 GiB or more.
    public func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        switch self {
        case .none: Array(input)
        case .gzip: try GzipStream.compress(input)
        case .snappy: try SnappyStream.compress(input)
        case .lz4: try LZ4Frame.compress(input)
        case .zstd: try ZstdStream.compress(input)
        }
    }

    /// Decompresses what a batch of this codec carries, in any form Kafka clients write.
    /// ``none`` returns the bytes as they are: nothing expands, so `limit` does not apply.
    ///
    /// - Parameters:
    ///   - expectedSize: a guess of the decompressed size, to size the output in one go;
    ///     each decoder caps it at what its format can produce from `input`.
    ///   - limit: the most bytes the output may hold. Input that would decompress to more
    ///     is rejected, so a small hostile batch cannot claim gigabytes of memory.
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` for damaged, truncated or
    ///   oversized input.
    public func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int = 0, limit: Int) throws -> [UInt8] {
        switch self {
        case .none: Array(input)
        case .gzip: try GzipStream.decompress(input, expectedSize: expectedSize, limit: limit)
        case .snappy: try SnappyStream.decompress(input, limit: limit)
        case .lz4: try LZ4Frame.decompress(input, expectedSize: expectedSize, limit: limit)
        case .zstd: try ZstdStream.decompress(input, expectedSize: expectedSize, limit: limit)
        }
    }

    /// Decompresses what a batch of this codec carries into memory the caller reuses, as
    /// ``decompress(_:expectedSize:limit:)`` does: `scratch(n)` returns a region of `n`
    /// bytes. LZ4 decompresses straight into it; the other codecs still build an array
    /// and copy it in (their decoders grow their own output).
    ///
    /// - Returns: the decompressed bytes, in the last region `scratch` returned.
    func decompress(
        _ input: UnsafeRawBufferPointer, expectedSize: Int, limit: Int,
        scratch: (Int) -> UnsafeMutableRawBufferPointer
    ) throws -> UnsafeRawBufferPointer {
        if self == .lz4 {
            return try LZ4Frame.decompress(input, expectedSize: expectedSize, limit: limit, scratch: scratch)
        }
        let plain = try decompress(input, expectedSize: expectedSize, limit: limit)
        let output = scratch(plain.count)
        plain.withUnsafeBytes { output.copyMemory(from: $0) }
        return UnsafeRawBufferPointer(output)
    }
}
