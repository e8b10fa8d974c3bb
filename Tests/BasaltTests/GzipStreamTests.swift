import CZlib
import Testing

@testable import Basalt
import BasaltTesting

private func compress(_ input: [UInt8]) throws -> [UInt8] {
    try input.withUnsafeBytes { try GzipStream.compress($0) }
}

private func decompress(_ input: [UInt8], expectedSize: Int = 0, limit: Int = 64 << 20) throws -> [UInt8] {
    try input.withUnsafeBytes { try GzipStream.decompress($0, expectedSize: expectedSize, limit: limit) }
}

private func littleEndian32(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

private func zlibCRC32(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { UInt32(crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt($0.count))) }
}

/// Compresses with zlib directly: `windowBits` 15 gives a zlib stream, −15 raw deflate,
/// 31 gzip; `header` sets the gzip header's optional fields.
private func zlibDeflate(_ input: [UInt8], windowBits: Int32, header: Bool = false) throws -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    try #require(deflateInit2_(stream, 9, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                               Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { deflateEnd(stream) }
    var extra: [UInt8] = [0x41, 0x42, 0x02, 0x00, 0x01, 0x02]
    var name = Array("batch.bin\0".utf8)
    var comment = Array("written by a test\0".utf8)
    // zlib keeps the header's address until the member is written, so it must not move.
    let gzipHeader = UnsafeMutablePointer<gz_header>.allocate(capacity: 1)
    gzipHeader.initialize(to: gz_header())
    defer { gzipHeader.deallocate() }
    return try extra.withUnsafeMutableBufferPointer { extra in
        try name.withUnsafeMutableBufferPointer { name in
            try comment.withUnsafeMutableBufferPointer { comment in
                if header {
                    gzipHeader.pointee.text = 1
                    gzipHeader.pointee.time = 1_700_000_000
                    gzipHeader.pointee.os = 0
                    gzipHeader.pointee.extra = extra.baseAddress
                    gzipHeader.pointee.extra_len = uInt(extra.count)
                    gzipHeader.pointee.name = name.baseAddress
                    gzipHeader.pointee.comment = comment.baseAddress
                    gzipHeader.pointee.hcrc = 1
                    try #require(deflateSetHeader(stream, gzipHeader) == Z_OK)
                }
                let bound = Int(deflateBound(stream, uLong(input.count))) + 256
                var output = [UInt8](repeating: 0, count: bound)
                let status = input.withUnsafeBytes { source in
                    output.withUnsafeMutableBytes { target in
                        stream.pointee.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
                        stream.pointee.avail_in = uInt(source.count)
                        stream.pointee.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                        stream.pointee.avail_out = uInt(bound)
                        return deflate(stream, Z_FINISH)
                    }
                }
                try #require(status == Z_STREAM_END)
                return Array(output[..<(bound - Int(stream.pointee.avail_out))])
            }
        }
    }
}

@Suite struct GzipStreamTests {
    // MARK: - Encoder output

    /// One member: magic, deflate, no optional fields, then CRC-32 and length.
    @Test func encoderWritesOneMemberWithItsTrailer() throws {
        var random = SeededGenerator(seed: 0x6210)
        for input in [[], [0x78], random.words(100_000), random.bytes(70_000)] {
            let member = try compress(input)
            #expect(Array(member.prefix(4)) == [0x1F, 0x8B, 0x08, 0x00])
            #expect(Array(member.suffix(8)) == littleEndian32(zlibCRC32(input)) + littleEndian32(UInt32(input.count)))
            #expect(try decompress(member) == input)
        }
    }

    // MARK: - Streams written by others

    /// `gzip.compress(b"kafka", mtime=0)` in Python, which kafka-python uses (level 9, XFL 2).
    @Test func decodesPythonsGzip() throws {
        let member: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xCB, 0x4E, 0x4C, 0xCB, 0x4E,
                               0x04, 0x00, 0x17, 0x75, 0xBC, 0x5B, 0x05, 0x00, 0x00, 0x00]
        #expect(try decompress(member) == Array("kafka".utf8))
    }

    /// RFC 1952 by hand: the header Java writes (OS 255), one stored deflate block, trailer.
    @Test func decodesAHandBuiltMemberWithAStoredBlock() throws {
        let hello = Array("hello".utf8)
        let member = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x01, 0x05, 0x00, 0xFA, 0xFF] + hello
            + littleEndian32(0x3610_A686) + littleEndian32(5)
        #expect(zlibCRC32(hello) == 0x3610_A686)
        #expect(try decompress(member) == hello)
        // The same member with the CRC or the length wrong.
        var badCRC = member
        badCRC[20] ^= 0x01
        #expect(corruptReason { try decompress(badCRC) }?.contains("incorrect data check") == true)
        var badLength = member
        badLength[24] = 6
        #expect(corruptReason { try decompress(badLength) }?.contains("incorrect length check") == true)
    }

    /// FTEXT, FEXTRA, FNAME, FCOMMENT and FHCRC are all legal in a member header.
    @Test func acceptsEveryOptionalHeaderField() throws {
        var random = SeededGenerator(seed: 0x6211)
        let input = random.words(50_000)
        let member = try zlibDeflate(input, windowBits: 31, header: true)
        #expect(member[3] == 0x1F)
        #expect(try decompress(member) == input)
    }

    /// `GZIPInputStream` reads concatenated members as one stream; so does Basalt.
    @Test func concatenatedMembersDecodeToTheirConcatenation() throws {
        var random = SeededGenerator(seed: 0x6212)
        let parts = [random.words(1000), [], random.bytes(70_000), random.words(200_000)]
        var stream: [UInt8] = []
        for part in parts {
            stream += try compress(part)
        }
        stream += try zlibDeflate(Array("tail".utf8), windowBits: 31, header: true)
        let expected = Array(parts.joined()) + Array("tail".utf8)
        for expectedSize in [0, 4, expected.count] {
            #expect(try decompress(stream, expectedSize: expectedSize) == expected)
        }
        #expect(try decompress(stream, limit: expected.count) == expected)
        corruptReason { try decompress(stream, limit: expected.count - 1) }
    }

    @Test func rejectsZlibAndRawDeflateStreams() throws {
        let input = Array("a zlib stream is not a gzip member".utf8)
        #expect(try decompress(try zlibDeflate(input, windowBits: 31)) == input)
        corruptReason("zlib") { try decompress(try zlibDeflate(input, windowBits: 15)) }
        corruptReason("raw deflate") { try decompress(try zlibDeflate(input, windowBits: -15)) }
    }

    // MARK: - Damaged members

    @Test func truncationAtEveryLengthIsCorrupt() throws {
        var random = SeededGenerator(seed: 0x6213)
        for input in [[], [0x78], random.words(5000), random.bytes(300)] {
            for member in [try compress(input), try zlibDeflate(input, windowBits: 31, header: true)] {
                for length in 0..<member.count {
                    corruptReason("\(length) of \(member.count) bytes") { try decompress(Array(member[..<length])) }
                }
                // A cut second member is as truncated as a cut first one.
                let twice = member + member
                for length in (member.count + 1)..<twice.count {
                    corruptReason("\(length) of \(twice.count) bytes") { try decompress(Array(twice[..<length])) }
                }
            }
        }
    }

    /// A flipped bit never yields other data: the CRC-32 and length trailer catch every
    /// change to the output. The header fields a gzip reader ignores (MTIME, XFL and OS
    /// in bytes 4–9, the FTEXT hint in bit 0 of FLG) change nothing; so may a few deflate
    /// bits (the padding after the last block, a code length of an unused symbol). Every
    /// other header bit and every trailer bit is caught.
    @Test func bitFlipsNeverYieldOtherData() throws {
        var random = SeededGenerator(seed: 0x6214)
        let input = random.words(700) + random.bytes(100)
        let member = try compress(input)
        let trailerBits = ((member.count - 8) * 8)..<(member.count * 8)
        var caught = 0
        for bit in 0..<(member.count * 8) {
            var damaged = member
            damaged[bit / 8] ^= 1 << (bit % 8)
            if (32..<80).contains(bit) || bit == 24 {
                #expect(try decompress(damaged) == input, "bit \(bit)")
            } else if bit < 80 || trailerBits.contains(bit) {
                corruptReason("bit \(bit) of \(member.count) bytes") { try decompress(damaged) }
            } else {
                do {
                    #expect(try decompress(damaged) == input, "bit \(bit)")
                } catch BasaltError.corruptCompressedData {
                    caught += 1
                }
            }
        }
        #expect(caught > (member.count - 18) * 8 * 95 / 100)
    }

    @Test func aHugeLengthTrailerIsOnlyAGuess() throws {
        var member = try compress(Array("short".utf8))
        member.replaceSubrange((member.count - 4)..., with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(corruptReason { try decompress(member) }?.contains("incorrect length check") == true)
    }
}
