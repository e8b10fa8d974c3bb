import CSnappy

/// Snappy as Kafka clients use it for codec 2, in both forms they write.
///
/// The Java client (snappy-java's `SnappyOutputStream`) and kafka-python write the xerial
/// framing: a 16-byte header, magic `82 53 4E 41 50 50 59 00` ("\x82SNAPPY\0") then a
/// version and a compatible-version int32 (both 1), then blocks, each a big-endian int32
/// length and one raw snappy block of at most 32 KiB of input. librdkafka writes one raw
/// snappy block, no framing. A raw block cannot start with the magic (its first element
/// would be a copy with nothing to copy from), so the two forms are told apart the way
/// every client does it: by the magic.
///
/// Compression writes the xerial framing with 32 KiB blocks, as the Java client does,
/// which every Kafka client reads. Decompression accepts either form. The version fields
/// are not checked (Redpanda writes them little-endian; kafka-python ignores them too),
/// and a header where a block length would start begins another stream (snappy-java reads
/// concatenated streams; a length cannot start with 0x82, which would make it negative).
/// Every block's declared length is checked against the limit before anything is
/// allocated, so the output is sized once and exactly.
public enum SnappyStream {
    /// Compresses `input` into the xerial framing with 32 KiB blocks.
    ///
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` if libsnappy fails,
    ///   which it does not for a correctly sized output buffer.
    public static func compress(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        let blockCount = (input.count + xerialBlockBytes - 1) / xerialBlockBytes
        let bound = xerialHeader.count + blockCount * 4
            + (input.count / xerialBlockBytes) * snappy_max_compressed_length(xerialBlockBytes)
            + snappy_max_compressed_length(input.count % xerialBlockBytes)
        var failed = false
        let stream = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let output = UnsafeMutableRawBufferPointer(buffer)
            output.copyBytes(from: xerialHeader)
            var position = xerialHeader.count
            var inputPosition = 0
            while inputPosition < input.count {
                let blockBytes = min(xerialBlockBytes, input.count - inputPosition)
                var compressedBytes = bound - position - 4
                let status = snappy_compress(
                    (input.baseAddress! + inputPosition).assumingMemoryBound(to: CChar.self), blockBytes,
                    (output.baseAddress! + position + 4).assumingMemoryBound(to: CChar.self), &compressedBytes)
                guard status == SNAPPY_OK else {
                    failed = true
                    break
                }
                output.baseAddress!.storeBytes(of: UInt32(compressedBytes).bigEndian, toByteOffset: position, as: UInt32.self)
                position += 4 + compressedBytes
                inputPosition += blockBytes
            }
            count = failed ? 0 : position
        }
        if failed { throw BasaltError.corruptCompressedData(reason: "snappy: compression failed") }
        return stream
    }

    /// Decompresses a xerial-framed stream or one raw snappy block.
    ///
    /// - Parameters:
    ///   - input: the stream or block; every byte must belong to it.
    ///   - limit: the most bytes the output may hold; a stream whose blocks declare more
    ///     is rejected before anything is allocated.
    /// - Throws: ``BasaltError/corruptCompressedData(reason:)`` for a damaged, truncated
    ///   or oversized stream or block.
    public static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws -> [UInt8] {
        let blocks = try startsWithXerialMagic(input, at: 0) ? xerialBlocks(input) : [0..<input.count]
        // First pass: the declared lengths, so the output is allocated once and a bomb
        // is refused before any of it is.
        var declared: [Int] = []
        declared.reserveCapacity(blocks.count)
        var total = 0
        for block in blocks {
            let length = try uncompressedLength(UnsafeRawBufferPointer(rebasing: input[block]))
            guard length <= limit - total else {
                throw BasaltError.corruptCompressedData(
                    reason: "snappy stream decompresses to more than the limit of \(limit) bytes")
            }
            declared.append(length)
            total += length
        }
        var failure: String?
        let output = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            var position = 0
            for (index, block) in blocks.enumerated() {
                var length = declared[index]
                // snappy_uncompress fails unless the block decodes to exactly its declared
                // length with no input left over, so a block cannot write past its share.
                let status = snappy_uncompress(
                    (input.baseAddress! + block.lowerBound).assumingMemoryBound(to: CChar.self), block.count,
                    buffer.baseAddress.map { UnsafeMutableRawPointer($0 + position).assumingMemoryBound(to: CChar.self) },
                    &length)
                guard status == SNAPPY_OK, length == declared[index] else {
                    failure = blocks.count == 1 && block.count == input.count
                        ? "raw block does not decode" : "block \(index) does not decode"
                    break
                }
                position += length
            }
            count = failure == nil ? position : 0
        }
        if let failure { throw BasaltError.corruptCompressedData(reason: "snappy: \(failure)") }
        return output
    }

    /// snappy-java's default block size: input bytes per block.
    private static let xerialBlockBytes = 32 << 10

    /// Magic, version 1, compatible version 1.
    private static let xerialHeader: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]

    /// A snappy element never expands more than 64 bytes out of 3 (a copy with a 2-byte
    /// offset), so a block that declares more than this many times its size is lying.
    private static let maximumRatio = 32

    private static func startsWithXerialMagic(_ input: UnsafeRawBufferPointer, at position: Int) throws -> Bool {
        guard input.count - position >= 8 else { return false }
        for index in 0..<8 where input[position + index] != xerialHeader[index] {
            return false
        }
        guard input.count - position >= xerialHeader.count else {
            throw BasaltError.corruptCompressedData(reason: "snappy: xerial header is truncated")
        }
        return true
    }

    /// The byte ranges of the raw blocks of a xerial stream, which starts with a header.
    private static func xerialBlocks(_ input: UnsafeRawBufferPointer) throws -> [Range<Int>] {
        var blocks: [Range<Int>] = []
        var position = xerialHeader.count
        while position < input.count {
            if try startsWithXerialMagic(input, at: position) {
                position += xerialHeader.count
                continue
            }
            guard input.count - position >= 4 else {
                throw BasaltError.corruptCompressedData(reason: "snappy: xerial block length is truncated")
            }
            let length = Int(Int32(bigEndian: input.loadUnaligned(fromByteOffset: position, as: Int32.self)))
            position += 4
            guard length > 0 else {
                throw BasaltError.corruptCompressedData(reason: "snappy: xerial block length \(length)")
            }
            guard length <= input.count - position else {
                throw BasaltError.corruptCompressedData(reason: "snappy: xerial block is truncated")
            }
            blocks.append(position..<(position + length))
            position += length
        }
        return blocks
    }

    /// The length a raw block declares in its preamble, checked against what its size can hold.
    private static func uncompressedLength(_ block: UnsafeRawBufferPointer) throws -> Int {
        var length = 0
        let status = block.baseAddress.map {
            snappy_uncompressed_length($0.assumingMemoryBound(to: CChar.self), block.count, &length)
        } ?? SNAPPY_INVALID_INPUT
        guard status == SNAPPY_OK else {
            throw BasaltError.corruptCompressedData(reason: "snappy: block has no valid length preamble")
        }
        guard length / maximumRatio <= block.count else {
            throw BasaltError.corruptCompressedData(
                reason: "snappy: a block of \(block.count) bytes declares \(length) bytes")
        }
        return length
    }
}
