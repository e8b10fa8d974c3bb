import CZstd
import Testing

@testable import Basalt
import BasaltTesting

private func compress(_ input: [UInt8]) throws -> [UInt8] {
    try input.withUnsafeBytes { try ZstdStream.compress($0) }
}

private func decompress(_ input: [UInt8], expectedSize: Int = 0, limit: Int = 64 << 20) throws -> [UInt8] {
    try input.withUnsafeBytes { try ZstdStream.decompress($0, expectedSize: expectedSize, limit: limit) }
}

private let frameMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

/// How libzstd should write a frame, beyond what Basalt's encoder does.
private struct FrameOptions {
    var level: Int32 = 3
    /// False writes no content size, as the Java client's streaming encoder does.
    var contentSize = true
    var checksum = false
}

/// Compresses `input` with libzstd's advanced API and the given options.
private func libzstdFrame(_ input: [UInt8], _ options: FrameOptions) throws -> [UInt8] {
    let context = try #require(ZSTD_createCCtx())
    defer { ZSTD_freeCCtx(context) }
    try #require(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, options.level)) == 0)
    try #require(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, options.contentSize ? 1 : 0)) == 0)
    try #require(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, options.checksum ? 1 : 0)) == 0)
    let bound = ZSTD_compressBound(input.count)
    var output = [UInt8](repeating: 0, count: bound)
    let written = withUnsafeBytes(of: UInt8(0)) { empty in
        input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                ZSTD_compress2(context, target.baseAddress, bound, source.baseAddress ?? empty.baseAddress, source.count)
            }
        }
    }
    try #require(ZSTD_isError(written) == 0)
    return Array(output[..<written])
}

/// A frame by hand: no content size, the window descriptor byte given, then one raw
/// (uncompressed) last block holding `content`.
private func handBuiltFrame(windowDescriptor: UInt8, content: [UInt8]) -> [UInt8] {
    let blockHeader = UInt32(content.count) << 3 | 1  // size, raw block (type 0), last block
    return frameMagic + [0x00, windowDescriptor]
        + [UInt8(truncatingIfNeeded: blockHeader), UInt8(truncatingIfNeeded: blockHeader >> 8),
           UInt8(truncatingIfNeeded: blockHeader >> 16)]
        + content
}

/// A skippable frame: magic 0x184D2A5?, a little-endian length, that many ignored bytes.
private func skippableFrame(_ payload: [UInt8]) -> [UInt8] {
    [0x53, 0x2A, 0x4D, 0x18] + (0..<4).map { UInt8(truncatingIfNeeded: payload.count >> (8 * $0)) } + payload
}

@Suite struct ZstdStreamTests {
    // MARK: - Encoder output

    @Test func encoderWritesOneFrameWithItsContentSize() throws {
        var random = SeededGenerator(seed: 0x25D)
        for input in [[], [0x78], random.words(100_000), random.bytes(300_000)] {
            let frame = try compress(input)
            #expect(Array(frame.prefix(4)) == frameMagic)
            #expect(frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) } == UInt64(input.count))
            #expect(frame.withUnsafeBytes { ZSTD_findFrameCompressedSize($0.baseAddress, $0.count) } == frame.count)
            #expect(try decompress(frame) == input)
        }
    }

    // MARK: - Frames written by others

    /// The Java client streams through zstd-jni and never learns the size up front.
    @Test(arguments: [0, 1, 1000, 131_073, (1 << 20) + 7])
    func acceptsFramesWithoutContentSize(size: Int) throws {
        var random = SeededGenerator(seed: UInt64(size))
        let input = random.sample(size, kind: size % 4)
        let frame = try libzstdFrame(input, FrameOptions(contentSize: false))
        #expect(frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) } == ZSTD_CONTENTSIZE_UNKNOWN)
        for expectedSize in [0, 1, size, size * 3] {
            #expect(try decompress(frame, expectedSize: expectedSize) == input)
        }
        #expect(try decompress(frame, limit: size) == input)
    }

    /// Levels from the fastest negative one to 19, checksummed or not.
    @Test func acceptsEveryLevelAndChecksums() throws {
        var random = SeededGenerator(seed: 0x25E)
        let input = random.sample(400_000, kind: 3)
        for level: Int32 in [-5, 1, 3, 9, 19] {
            for checksum in [false, true] {
                let frame = try libzstdFrame(input, FrameOptions(level: level, contentSize: level % 2 == 0, checksum: checksum))
                #expect(try decompress(frame) == input, "level \(level), checksum \(checksum)")
            }
        }
    }

    @Test func concatenatedAndSkippableFramesDecodeToTheConcatenation() throws {
        var random = SeededGenerator(seed: 0x25F)
        let first = random.words(50_000)
        let second = random.bytes(70_000)
        let stream = skippableFrame([1, 2, 3]) + (try compress(first)) + skippableFrame([])
            + (try libzstdFrame(second, FrameOptions(contentSize: false, checksum: true))) + (try compress([]))
        #expect(try decompress(stream) == first + second)
        #expect(try decompress(stream, limit: first.count + second.count) == first + second)
        corruptReason { try decompress(stream, limit: first.count + second.count - 1) }
        #expect(try decompress(skippableFrame(Array("metadata".utf8))) == [])
    }

    /// The window a frame declares is what a streaming decoder allocates: 2^27 is accepted,
    /// 2^28 refused before anything is decoded.
    @Test func windowsAbove128MiBAreRefused() throws {
        #expect(try decompress(handBuiltFrame(windowDescriptor: 0x00, content: [0x78])) == [0x78])  // 1 KiB
        #expect(try decompress(handBuiltFrame(windowDescriptor: 0x88, content: [0x78])) == [0x78])  // 128 MiB
        let reason = corruptReason { try decompress(handBuiltFrame(windowDescriptor: 0x90, content: [0x78])) }  // 256 MiB
        #expect(reason?.contains("Frame requires too much memory for decoding") == true, "\(reason ?? "")")
    }

    // MARK: - Damaged frames

    @Test func truncationAtEveryLengthIsCorrupt() throws {
        var random = SeededGenerator(seed: 0x260)
        for input in [[], [0x78], random.words(5000), random.bytes(300)] {
            let frames = [try compress(input), try libzstdFrame(input, FrameOptions(contentSize: false, checksum: true))]
            for frame in frames {
                for length in 0..<frame.count {
                    corruptReason("\(length) of \(frame.count) bytes") { try decompress(Array(frame[..<length])) }
                }
            }
        }
    }

    /// With a content checksum a flipped bit either fails or changes nothing that is
    /// decoded (a window descriptor raised, say): it never yields different data.
    @Test func bitFlipsInAChecksummedFrameNeverYieldOtherData() throws {
        var random = SeededGenerator(seed: 0x261)
        let input = random.words(600) + random.bytes(100)
        let frame = try libzstdFrame(input, FrameOptions(contentSize: false, checksum: true))
        var caught = 0
        for bit in 0..<(frame.count * 8) {
            var damaged = frame
            damaged[bit / 8] ^= 1 << (bit % 8)
            do {
                #expect(try decompress(damaged) == input, "bit \(bit)")
            } catch BasaltError.corruptCompressedData {
                caught += 1
            }
        }
        #expect(caught > frame.count * 8 * 9 / 10)
    }

    @Test func aContentSizeThatDisagreesWithTheBlocksIsCorrupt() throws {
        // Single segment, one-byte content size, one raw block of one byte.
        let block: [UInt8] = [0x09, 0x00, 0x00, 0x78]
        #expect(try decompress(frameMagic + [0x20, 0x01] + block) == [0x78])
        for claimed: UInt8 in [0, 2, 0xFF] {
            corruptReason("content size \(claimed)") { try decompress(frameMagic + [0x20, claimed] + block) }
        }
    }

    /// A frame that declares more than the limit is refused before it is decoded; one that
    /// declares nothing is stopped at the limit while decoding.
    @Test func aDeclaredSizeAboveTheLimitIsRefusedUpFront() throws {
        var random = SeededGenerator(seed: 0x262)
        let input = random.words(10_000)
        let declared = corruptReason { try decompress(try compress(input), limit: 9_999) }
        #expect(declared?.contains("limit of 9999 bytes (its frame declares 10000)") == true, "\(declared ?? "")")
        let undeclared = corruptReason { try decompress(try libzstdFrame(input, FrameOptions(contentSize: false)), limit: 9_999) }
        #expect(undeclared == "zstd stream decompresses to more than the limit of 9999 bytes")
    }

    /// RLE blocks turn 4 bytes into 128 KiB: the densest bomb zstd allows stops at the limit.
    @Test func rleBlocksStopAtTheLimit() throws {
        let rleBlock: [UInt8] = [UInt8(truncatingIfNeeded: (131_072 << 3) | 2), UInt8(truncatingIfNeeded: 131_072 >> 5),
                                 UInt8(truncatingIfNeeded: 131_072 >> 13), 0x61]
        var lastBlock = rleBlock
        lastBlock[0] |= 1
        let frame = frameMagic + [0x00, 0x88] + Array([[UInt8]](repeating: rleBlock, count: 127).joined()) + lastBlock
        #expect(frame.count < 600)
        #expect(try decompress(frame, limit: 16 << 20) == [UInt8](repeating: 0x61, count: 16 << 20))
        let reason = corruptReason { try decompress(frame, expectedSize: Int(Int32.max), limit: 1 << 20) }
        #expect(reason?.contains("limit of 1048576 bytes") == true)
    }
}
