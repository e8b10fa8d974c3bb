import CSnappy
import Testing

@testable import Basalt
import BasaltTesting

private func compress(_ input: [UInt8]) throws -> [UInt8] {
    try input.withUnsafeBytes { try SnappyStream.compress($0) }
}

private func decompress(_ input: [UInt8], limit: Int = 64 << 20) throws -> [UInt8] {
    try input.withUnsafeBytes { try SnappyStream.decompress($0, limit: limit) }
}

private let magic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]

private func bigEndian32(_ value: UInt32) -> [UInt8] {
    (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// One raw snappy block from libsnappy: what librdkafka writes.
private func rawBlock(_ input: [UInt8]) throws -> [UInt8] {
    var length = snappy_max_compressed_length(input.count)
    var output = [UInt8](repeating: 0, count: length)
    let status = withUnsafeBytes(of: UInt8(0)) { empty in
        input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                snappy_compress((source.baseAddress ?? empty.baseAddress!).assumingMemoryBound(to: CChar.self), source.count,
                                target.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
            }
        }
    }
    try #require(status == SNAPPY_OK)
    return Array(output[..<length])
}

/// A xerial stream with blocks of `blockBytes` input and the given version fields, as
/// kafka-python (any block size) or Redpanda (little-endian versions) write it.
private func xerialStream(_ input: [UInt8], blockBytes: Int, versions: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1]) throws -> [UInt8] {
    var stream = magic + versions
    var start = 0
    while start < input.count {
        let end = min(start + blockBytes, input.count)
        let block = try rawBlock(Array(input[start..<end]))
        stream += bigEndian32(UInt32(block.count)) + block
        start = end
    }
    return stream
}

/// Where each block of a xerial stream starts and ends.
private func blockRanges(_ stream: [UInt8]) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var position = 16
    while position + 4 <= stream.count {
        let length = stream[position..<(position + 4)].reduce(0) { $0 << 8 | Int($1) }
        ranges.append((position + 4)..<(position + 4 + length))
        position += 4 + length
    }
    return ranges
}

@Suite struct SnappyStreamTests {
    // MARK: - Encoder output

    /// The Java client's form: header, then one block per 32 KiB of input.
    @Test func encoderWritesXerialBlocksOf32KiB() throws {
        var random = SeededGenerator(seed: 0x5A0)
        for size in [0, 1, 32_768, 32_769, 100_000] {
            let input = random.sample(size, kind: size % 4)
            let stream = try compress(input)
            #expect(Array(stream[..<16]) == magic + [0, 0, 0, 1, 0, 0, 0, 1])
            let blocks = blockRanges(stream)
            #expect(blocks.count == (size + 32_767) / 32_768)
            #expect(blocks.last?.upperBound ?? 16 == stream.count)
            for (index, block) in blocks.enumerated() {
                let expected = input[(index * 32_768)..<min(size, (index + 1) * 32_768)]
                #expect(try decompress(Array(stream[block])) == Array(expected), "block \(index) alone is a raw block")
            }
            #expect(try decompress(stream) == input)
        }
    }

    // MARK: - Streams written by others

    /// librdkafka's form: one raw block, no framing.
    @Test(arguments: [0, 1, 100, 65_537, (1 << 20) + 3])
    func decodesOneRawBlock(size: Int) throws {
        var random = SeededGenerator(seed: UInt64(size))
        let input = random.sample(size, kind: size % 4)
        let block = try rawBlock(input)
        #expect(try decompress(block) == input)
        #expect(try decompress(block, limit: size) == input)
        if size > 0 {
            #expect(corruptReason { try decompress(block, limit: size - 1) }?.contains("limit of \(size - 1) bytes") == true)
        }
    }

    /// python-snappy's `compress(b"kafka kafka kafka kafka")`: a literal and a copy.
    @Test func decodesARawBlockFromPythonSnappy() throws {
        let block: [UInt8] = [0x17, 0x14, 0x6B, 0x61, 0x66, 0x6B, 0x61, 0x20, 0x42, 0x06, 0x00]
        #expect(try decompress(block) == Array("kafka kafka kafka kafka".utf8))
    }

    /// kafka-python lets the block size vary; Redpanda writes the versions little-endian.
    /// Neither matters to the decoder.
    @Test func acceptsAnyBlockSizeAndAnyVersionFields() throws {
        var random = SeededGenerator(seed: 0x5A1)
        let input = random.sample(300_000, kind: 3)
        for blockBytes in [1, 1000, 32_768, 65_536, 1 << 20] {
            // One-byte blocks only for a short prefix: 300,000 blocks would be slow and prove nothing more.
            let sized = blockBytes == 1 ? Array(input.prefix(3000)) : input
            #expect(try decompress(try xerialStream(sized, blockBytes: blockBytes)) == sized, "blocks of \(blockBytes)")
        }
        for versions: [UInt8] in [[1, 0, 0, 0, 1, 0, 0, 0], [0, 0, 0, 2, 0, 0, 0, 1], [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]] {
            #expect(try decompress(try xerialStream(input, blockBytes: 32_768, versions: versions)) == input)
        }
    }

    @Test func aHeaderWithoutBlocksIsEmpty() throws {
        #expect(try decompress(magic + [0, 0, 0, 1, 0, 0, 0, 1]) == [])
        #expect(try compress([]) == magic + [0, 0, 0, 1, 0, 0, 0, 1])
        #expect(try decompress([0x00]) == [], "a raw block of nothing")
    }

    /// snappy-java reads a header where a block length would be as the start of another stream.
    @Test func concatenatedStreamsDecodeToTheirConcatenation() throws {
        var random = SeededGenerator(seed: 0x5A2)
        let first = random.words(40_000)
        let second = random.bytes(1000)
        let stream = try compress(first) + compress([]) + compress(second)
        #expect(try decompress(stream) == first + second)
    }

    // MARK: - Damaged streams

    @Test func rawBlockTruncationAtEveryLengthIsCorrupt() throws {
        var random = SeededGenerator(seed: 0x5A3)
        for input in [[0x78], random.words(5000), random.bytes(300)] {
            let block = try rawBlock(input)
            for length in 0..<block.count {
                corruptReason("\(length) of \(block.count) bytes") { try decompress(Array(block[..<length])) }
            }
        }
    }

    /// A xerial stream has no end mark: a cut right after a block is a shorter valid
    /// stream (the record walk then finds records missing). Any other cut is corrupt.
    @Test func xerialTruncationIsCorruptExceptAtBlockBoundaries() throws {
        var random = SeededGenerator(seed: 0x5A4)
        let input = random.words(2000) + random.bytes(500)
        let stream = try xerialStream(input, blockBytes: 700)
        let boundaries = [16] + blockRanges(stream).map(\.upperBound)
        #expect(boundaries.count == 5)
        for length in 0..<stream.count {
            let cut = Array(stream[..<length])
            if let block = boundaries.firstIndex(of: length) {
                #expect(try decompress(cut) == Array(input.prefix(block * 700)), "\(length)")
            } else {
                corruptReason("\(length) of \(stream.count) bytes") { try decompress(cut) }
            }
        }
    }

    @Test func badBlockLengthsAreCorrupt() throws {
        let block = try rawBlock(Array("kafka".utf8))
        let header = magic + [0, 0, 0, 1, 0, 0, 0, 1]
        #expect(try decompress(header + bigEndian32(UInt32(block.count)) + block) == Array("kafka".utf8))
        let cases: [([UInt8], String)] = [
            (header + bigEndian32(0) + block, "xerial block length 0"),
            (header + bigEndian32(0x7FFF_FFFF) + block, "xerial block is truncated"),
            (header + bigEndian32(UInt32(block.count + 1)) + block, "xerial block is truncated"),
            (header + bigEndian32(UInt32(block.count - 1)) + block.dropLast(), "block 0 does not decode"),
            (header + bigEndian32(UInt32(block.count)) + block + [0, 0], "xerial block length is truncated"),
            (header + [0x81, 0, 0, 0] + block, "xerial block length -2130706432"),
            (Array(header.prefix(12)), "xerial header is truncated"),
        ]
        for (stream, reason) in cases {
            let got = corruptReason("\(reason)") { try decompress(stream) }
            #expect(got?.contains(reason) == true, "\(got ?? "") is not \(reason)")
        }
    }

    /// A raw block's preamble says how long its output is; a block that says more than
    /// its bytes can hold is refused before anything is allocated.
    @Test func aPreambleThatOverstatesIsCorrupt() throws {
        // Preamble 0xFFFFFFFF (4 GiB − 1) then one literal byte.
        let lying: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x78]
        #expect(corruptReason { try decompress(lying, limit: Int.max) }?.contains("declares 4294967295 bytes") == true)
        let zeros = try rawBlock([UInt8](repeating: 0, count: 1000))
        #expect(corruptReason { try decompress(zeros, limit: 999) }?.contains("limit of 999 bytes") == true)
        // One more or one fewer than the block really holds.
        var block = try rawBlock(Array("hello, hello".utf8))
        #expect(block[0] == 12)
        for preamble: UInt8 in [11, 13] {
            block[0] = preamble
            #expect(corruptReason { try decompress(block) }?.contains("raw block does not decode") == true)
        }
    }

    /// Many blocks of zeros add up past the limit: refused on their declared lengths.
    @Test func blocksAddingUpPastTheLimitAreRefused() throws {
        let stream = try compress([UInt8](repeating: 0, count: 8 << 20))
        #expect(try decompress(stream, limit: 8 << 20).count == 8 << 20)
        #expect(corruptReason { try decompress(stream, limit: (8 << 20) - 1) }?.contains("limit of 8388607 bytes") == true)
    }
}
