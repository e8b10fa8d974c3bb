import CLZ4
import Testing

@testable import Basalt
import BasaltTesting

extension SeededGenerator {
    /// `count` bytes of compressible text made of a small vocabulary.
    mutating func words(_ count: Int) -> [UInt8] {
        let vocabulary = ["offset", "batch", "segment", "record", "kafka", "basalt", "index", "log", " ", "\n", "0",
                          "partition", "leader", "epoch", "crc", "lz4"].map { Array($0.utf8) }
        var output: [UInt8] = []
        output.reserveCapacity(count + 16)
        while output.count < count {
            output += vocabulary[Int(next() % UInt64(vocabulary.count))]
        }
        return Array(output[..<count])
    }
}

/// xxHash32 (seed 0), for hand-built frame descriptors: the header checksum byte is
/// `(xxh32(FLG ... end of content size) >> 8) & 0xFF`.
private func xxh32(_ input: [UInt8], seed: UInt32 = 0) -> UInt32 {
    let prime1: UInt32 = 0x9E37_79B1, prime2: UInt32 = 0x85EB_CA77, prime3: UInt32 = 0xC2B2_AE3D
    let prime4: UInt32 = 0x27D4_EB2F, prime5: UInt32 = 0x1656_67B1
    func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }
    func read32(_ i: Int) -> UInt32 {
        UInt32(input[i]) | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2]) << 16 | UInt32(input[i + 3]) << 24
    }
    func round(_ acc: UInt32, _ lane: UInt32) -> UInt32 { rotl(acc &+ lane &* prime2, 13) &* prime1 }
    var index = 0
    var hash: UInt32
    if input.count >= 16 {
        var v1 = seed &+ prime1 &+ prime2, v2 = seed &+ prime2, v3 = seed, v4 = seed &- prime1
        while index + 16 <= input.count {
            v1 = round(v1, read32(index)); v2 = round(v2, read32(index + 4))
            v3 = round(v3, read32(index + 8)); v4 = round(v4, read32(index + 12))
            index += 16
        }
        hash = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
    } else {
        hash = seed &+ prime5
    }
    hash = hash &+ UInt32(truncatingIfNeeded: input.count)
    while index + 4 <= input.count {
        hash = rotl(hash &+ read32(index) &* prime3, 17) &* prime4
        index += 4
    }
    while index < input.count {
        hash = rotl(hash &+ UInt32(input[index]) &* prime5, 11) &* prime1
        index += 1
    }
    hash ^= hash >> 15
    hash = hash &* prime2
    hash ^= hash >> 13
    hash = hash &* prime3
    hash ^= hash >> 16
    return hash
}

private let frameMagic: [UInt8] = [0x04, 0x22, 0x4D, 0x18]

/// A frame header for `descriptor` (FLG, BD and an optional content size) with a
/// correct header checksum.
private func frameHeader(_ descriptor: [UInt8]) -> [UInt8] {
    frameMagic + descriptor + [UInt8(truncatingIfNeeded: xxh32(descriptor) >> 8)]
}

private func littleEndian32(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

private func littleEndian64(_ value: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// How liblz4's own encoder should write a frame, beyond what Basalt's encoder does.
private struct FrameOptions {
    var blockSize = LZ4F_max64KB
    var linked = false
    var contentSize = false
    var blockChecksum = false
    var contentChecksum = false
    var level: Int32 = 0
    /// When set, the input is fed in pieces of this size with a flush after each, so
    /// blocks are small and (when linked) refer back into earlier blocks.
    var flushEvery: Int?
}

/// Compresses `input` with liblz4's frame API and the given options.
private func liblz4Frame(_ input: [UInt8], _ options: FrameOptions) throws -> [UInt8] {
    var preferences = LZ4F_preferences_t()
    preferences.frameInfo.blockSizeID = options.blockSize
    preferences.frameInfo.blockMode = options.linked ? LZ4F_blockLinked : LZ4F_blockIndependent
    preferences.frameInfo.contentChecksumFlag =
        options.contentChecksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum
    preferences.frameInfo.blockChecksumFlag = options.blockChecksum ? LZ4F_blockChecksumEnabled : LZ4F_noBlockChecksum
    preferences.frameInfo.contentSize = options.contentSize ? UInt64(input.count) : 0
    preferences.compressionLevel = options.level

    guard let piece = options.flushEvery else {
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                LZ4F_compressFrame(target.baseAddress, bound, source.baseAddress, source.count, &preferences)
            }
        }
        try #require(LZ4F_isError(written) == 0)
        return Array(output[..<written])
    }

    var context: OpaquePointer?
    try #require(LZ4F_isError(LZ4F_createCompressionContext(&context, UInt32(LZ4F_VERSION))) == 0)
    defer { LZ4F_freeCompressionContext(context) }
    let bound = LZ4F_compressBound(piece, &preferences) + Int(LZ4F_HEADER_SIZE_MAX) + 16
    var scratch = [UInt8](repeating: 0, count: bound)
    var output: [UInt8] = []
    func append(_ call: (UnsafeMutableRawPointer, Int) -> Int) throws {
        let written = scratch.withUnsafeMutableBytes { call($0.baseAddress!, bound) }
        try #require(LZ4F_isError(written) == 0)
        output += scratch[..<written]
    }
    try append { LZ4F_compressBegin(context, $0, $1, &preferences) }
    var start = 0
    while start < input.count {
        let end = min(start + piece, input.count)
        try input[start..<end].withUnsafeBytes { source in
            try append { LZ4F_compressUpdate(context, $0, $1, source.baseAddress, source.count, nil) }
        }
        try append { LZ4F_flush(context, $0, $1, nil) }
        start = end
    }
    try append { LZ4F_compressEnd(context, $0, $1, nil) }
    return output
}

private func compress(_ input: [UInt8]) throws -> [UInt8] {
    try input.withUnsafeBytes { try LZ4Frame.compress($0) }
}

private func decompress(_ frame: [UInt8], expectedSize: Int = 0, limit: Int = 64 << 20) throws -> [UInt8] {
    try frame.withUnsafeBytes { try LZ4Frame.decompress($0, expectedSize: expectedSize, limit: limit) }
}

@Suite struct LZ4FrameTests {
    // MARK: - Encoder output

    @Test func xxh32MatchesTheDescriptorChecksumsOfTheSpec() {
        // kafka-compat §1.8: HC of `60 40` is 0x82; Kafka ≤ 0.9's broken HC over magic + FLG + BD is 0x1A.
        #expect(UInt8(truncatingIfNeeded: xxh32([0x60, 0x40]) >> 8) == 0x82)
        #expect(UInt8(truncatingIfNeeded: xxh32(frameMagic + [0x60, 0x40]) >> 8) == 0x1A)
        #expect(xxh32([]) == 0x02CC_5D05)
        #expect(xxh32(Array("abc".utf8)) == 0x32D1_53FF)
    }

    @Test func encoderWritesTheKafkaFrameDescriptor() throws {
        var random = SeededGenerator(seed: 1)
        for input in [[], [0x78], random.bytes(1000), random.words(300_000)] {
            let frame = try compress(input)
            #expect(Array(frame.prefix(7)) == [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82])
            #expect(Array(frame.suffix(4)) == [0, 0, 0, 0])
        }
    }

    @Test func emptyInputIsHeaderAndEndMark() throws {
        let frame = try compress([])
        #expect(frame == [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82, 0x00, 0x00, 0x00, 0x00])
        #expect(try decompress(frame) == [])
        #expect(try decompress(frame, limit: 0) == [])
    }

    /// The example frame of kafka-compat §1.8: one incompressible byte stored raw.
    @Test func oneByteIsAnUncompressedBlock() throws {
        let frame = try compress([0x78])
        #expect(frame == [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82, 0x01, 0x00, 0x00, 0x80, 0x78, 0x00, 0x00, 0x00, 0x00])
        #expect(try decompress(frame) == [0x78])
        #expect(try decompress(frame, limit: 1) == [0x78])
    }

    /// 200 KiB of random bytes: three full 64 KiB blocks and one of 8 KiB, each stored
    /// raw (size with the high bit set) because compression cannot shrink it.
    @Test func incompressibleInputIsStoredInRawBlocks() throws {
        var random = SeededGenerator(seed: 0x1A2)
        let input = random.bytes(200 * 1024)
        let frame = try compress(input)
        #expect(frame.count == 7 + 3 * (4 + 65536) + (4 + 8192) + 4)
        var position = 7
        var inputPosition = 0
        for blockSize in [65536, 65536, 65536, 8192] {
            #expect(Array(frame[position..<(position + 4)]) == littleEndian32(UInt32(blockSize) | 0x8000_0000))
            #expect(frame[(position + 4)..<(position + 4 + blockSize)] == input[inputPosition..<(inputPosition + blockSize)])
            position += 4 + blockSize
            inputPosition += blockSize
        }
        #expect(Array(frame[position...]) == [0, 0, 0, 0])
        #expect(try decompress(frame) == input)
        #expect(try decompress(frame, expectedSize: input.count, limit: input.count) == input)
    }

    @Test func compressibleInputShrinksAndRoundTrips() throws {
        var random = SeededGenerator(seed: 0xC0)
        let text = random.words(1 << 20)
        let textFrame = try compress(text)
        #expect(textFrame.count < text.count / 2)
        #expect(try decompress(textFrame) == text)

        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let zerosFrame = try compress(zeros)
        #expect(zerosFrame.count < 8192)
        #expect(try decompress(zerosFrame) == zeros)
    }

    /// Sizes on both sides of the 64 KiB block size, and the hint of the expected size
    /// too small, exact and too large.
    @Test(arguments: [2, 15, 4095, 65535, 65536, 65537, 131_072, 131_073, 300_001])
    func roundTripAroundBlockBoundaries(size: Int) throws {
        var random = SeededGenerator(seed: UInt64(size))
        let half = random.words(size / 2)
        let input = half + random.bytes(size - half.count)
        let frame = try compress(input)
        for expectedSize in [0, 1, size / 3, size, size * 5] {
            #expect(try decompress(frame, expectedSize: expectedSize) == input, "hint \(expectedSize)")
        }
    }

    // MARK: - Frames written by other producers

    /// kafka-python writes the content size (FLG 0x68); liblz4 writes what it is told.
    @Test func acceptsFramesWithContentSize() throws {
        var random = SeededGenerator(seed: 0x68)
        let input = random.words(100_000)
        let frame = try liblz4Frame(input, FrameOptions(contentSize: true))
        #expect(Array(frame[4...5]) == [0x68, 0x40])
        #expect(Array(frame[6..<14]) == littleEndian64(100_000))
        #expect(try decompress(frame) == input)
    }

    /// The kafka-python frame of "x", built by hand: content size 1, HC over FLG, BD and size.
    @Test func acceptsAHandBuiltFrameWithContentSize() throws {
        let frame = frameHeader([0x68, 0x40] + littleEndian64(1)) + [0x01, 0x00, 0x00, 0x80, 0x78, 0, 0, 0, 0]
        #expect(try decompress(frame) == [0x78])
    }

    @Test func rejectsAContentSizeThatDisagreesWithTheBlocks() {
        for claimed: UInt64 in [2, 1000, .max] {
            let frame = frameHeader([0x68, 0x40] + littleEndian64(claimed)) + [0x01, 0x00, 0x00, 0x80, 0x78, 0, 0, 0, 0]
            corruptReason("content size \(claimed)") { try decompress(frame) }
        }
    }

    @Test func rejectsAWrongOrLegacyHeaderChecksum() throws {
        let block: [UInt8] = [0x01, 0x00, 0x00, 0x80, 0x78, 0, 0, 0, 0]
        #expect(try decompress(frameMagic + [0x60, 0x40, 0x82] + block) == [0x78])
        for checksum in [UInt8(0x1A), 0x83, 0x00, 0xFF] {
            corruptReason("HC \(checksum)") { try decompress(frameMagic + [0x60, 0x40, checksum] + block) }
        }
    }

    /// FLG bits and BD values no valid frame has, each with a correct HC so only the
    /// field itself is wrong.
    @Test func rejectsInvalidDescriptorFields() {
        let block: [UInt8] = [0x01, 0x00, 0x00, 0x80, 0x78, 0, 0, 0, 0]
        let descriptors: [[UInt8]] = [
            [0x20, 0x40],  // version 0
            [0xA0, 0x40],  // version 2
            [0x61, 0x40],  // reserved FLG bit 0
            [0x62, 0x40],  // dictionary id flag without the 4-byte id: reads the block as the id
            [0x60, 0x00],  // block size id 0
            [0x60, 0x30],  // block size id 3
            [0x60, 0x41],  // reserved BD bits
            [0x60, 0xC0],  // reserved BD bit 7
        ]
        for descriptor in descriptors {
            corruptReason("descriptor \(descriptor)") { try decompress(frameHeader(descriptor) + block) }
        }
    }

    @Test func acceptsBlockAndContentChecksums() throws {
        var random = SeededGenerator(seed: 0xC5)
        let input = random.words(150_000)
        let cases: [(FrameOptions, UInt8)] = [
            (FrameOptions(blockChecksum: true), 0x70),
            (FrameOptions(contentChecksum: true), 0x64),
            (FrameOptions(contentSize: true, blockChecksum: true, contentChecksum: true), 0x7C),
        ]
        for (options, flags) in cases {
            let frame = try liblz4Frame(input, options)
            #expect(frame[4] == flags)
            #expect(try decompress(frame) == input, "FLG \(flags)")
        }
    }

    /// Every block size the format allows: 64 KiB, 256 KiB, 1 MiB, 4 MiB.
    @Test func acceptsEveryBlockSize() throws {
        var random = SeededGenerator(seed: 0xB5)
        let input = random.words(1 << 20) + random.bytes(4 << 20) + random.words(1 << 19)
        let sizes: [(LZ4F_blockSizeID_t, UInt8)] = [
            (LZ4F_max64KB, 0x40), (LZ4F_max256KB, 0x50), (LZ4F_max1MB, 0x60), (LZ4F_max4MB, 0x70),
        ]
        for (blockSize, descriptor) in sizes {
            let frame = try liblz4Frame(input, FrameOptions(blockSize: blockSize))
            #expect(frame[5] == descriptor)
            #expect(try decompress(frame) == input, "BD \(descriptor)")
        }
    }

    /// Linked blocks (FLG 0x40): each block may refer back into the previous 64 KiB,
    /// which only works when blocks are decoded into one contiguous buffer.
    @Test func acceptsLinkedBlocks() throws {
        var random = SeededGenerator(seed: 0x11)
        let phrase = random.bytes(3000)
        // The same random phrase over and over: only back-references can compress it,
        // and from the second small block on they reach into earlier blocks.
        let input = Array((0..<100).map { _ in phrase }.joined())
        let linked = try liblz4Frame(input, FrameOptions(linked: true, flushEvery: 1000))
        let independent = try liblz4Frame(input, FrameOptions(flushEvery: 1000))
        #expect(linked[4] == 0x40)
        #expect(independent[4] == 0x60)
        #expect(linked.count < independent.count / 4)
        #expect(try decompress(linked) == input)
        #expect(try decompress(independent) == input)

        let large = random.words(500_000)
        let linkedLarge = try liblz4Frame(large, FrameOptions(linked: true, level: 9))
        #expect(try decompress(linkedLarge) == large)
    }

    @Test func acceptsHighCompressionAndManySmallBlocks() throws {
        var random = SeededGenerator(seed: 0x9)
        let input = random.words(200_000)
        #expect(try decompress(try liblz4Frame(input, FrameOptions(level: 12))) == input)
        let short = Array(input.prefix(20_000))
        #expect(try decompress(try liblz4Frame(short, FrameOptions(flushEvery: 1))) == short)
        #expect(try decompress(try liblz4Frame(input, FrameOptions(flushEvery: 777))) == input)
    }

    // MARK: - Damaged frames

    @Test func truncationAtEveryLengthIsCorrupt() throws {
        var random = SeededGenerator(seed: 0x7C)
        let inputs: [[UInt8]] = [[0x78], random.words(5000), random.bytes(300)]
        for input in inputs {
            let frames = [try compress(input),
                          try liblz4Frame(input, FrameOptions(contentSize: true, blockChecksum: true,
                                                              contentChecksum: true, flushEvery: 1000))]
            for frame in frames {
                for length in 0..<frame.count {
                    corruptReason("\(length) of \(frame.count) bytes") { try decompress(Array(frame[..<length])) }
                }
            }
        }
    }

    /// Multi-block frames are long, so cut at every length near the block edges and at
    /// a sample elsewhere.
    @Test func truncationOfMultiBlockFramesIsCorrupt() throws {
        var random = SeededGenerator(seed: 0x7D)
        let input = random.words(200_000) + random.bytes(70_000)
        let frame = try compress(input)
        var lengths: Set<Int> = Set((0..<200).map { _ in Int.random(in: 0..<frame.count, using: &random) })
        for edge in [0, 7, frame.count - 4, frame.count] {
            for delta in -12...12 where edge + delta >= 0 && edge + delta < frame.count {
                lengths.insert(edge + delta)
            }
        }
        for length in lengths.sorted() {
            corruptReason("\(length) of \(frame.count) bytes") { try decompress(Array(frame[..<length])) }
        }
    }

    /// With block and content checksums every single-bit flip anywhere in the frame
    /// must be caught: header fields by HC, block data by its checksum, block sizes by
    /// the structure, the end by the content checksum.
    @Test func everyBitFlipOfAChecksummedFrameIsCorrupt() throws {
        var random = SeededGenerator(seed: 0xF1)
        let input = random.words(600) + random.bytes(100)
        let frame = try liblz4Frame(input, FrameOptions(contentSize: true, blockChecksum: true,
                                                        contentChecksum: true, flushEvery: 300))
        #expect(try decompress(frame) == input)
        for bit in 0..<(frame.count * 8) {
            var damaged = frame
            damaged[bit / 8] ^= 1 << (bit % 8)
            corruptReason("bit \(bit) of \(frame.count) bytes") { try decompress(damaged) }
        }
    }

    /// Without checksums a flipped data byte can decode to other data, but a flip in
    /// the magic, descriptor, header checksum or end mark is always caught.
    @Test func bitFlipsInTheFrameStructureAreCorrupt() throws {
        var random = SeededGenerator(seed: 0xF2)
        let frame = try compress(random.words(2000))
        for byte in Array(0..<7) + Array((frame.count - 4)..<frame.count) {
            for bit in 0..<8 {
                var damaged = frame
                damaged[byte] ^= 1 << bit
                corruptReason("bit \(bit) of byte \(byte)") { try decompress(damaged) }
            }
        }
    }

    @Test func flippedBytesInCompressedDataAreCorruptOrDecodeWithinBounds() throws {
        var random = SeededGenerator(seed: 0xF3)
        let input = random.words(3000)
        let frame = try compress(input)
        for position in 0..<frame.count {
            var damaged = frame
            damaged[position] ^= 0xFF
            do {
                let output = try decompress(damaged, limit: 1 << 20)
                // Only a literal or match-offset byte can change without breaking the structure.
                #expect(position >= 11 && position < frame.count - 4, "flip at \(position) decoded")
                #expect(output.count <= 1 << 20)
            } catch BasaltError.corruptCompressedData {
            } catch {
                Issue.record("flip at \(position): unexpected \(error)")
            }
        }
    }

    @Test func rejectsBytesAfterTheEndMark() throws {
        let frame = try compress(Array("hello".utf8))
        corruptReason { try decompress(frame + [0]) }
        corruptReason { try decompress(frame + [0, 0, 0, 0]) }
        corruptReason { try decompress(frame + frame) }
    }

    @Test func rejectsInputThatIsNoFrame() throws {
        var random = SeededGenerator(seed: 0x0F)
        corruptReason { try decompress([]) }
        corruptReason { try decompress(random.bytes(100)) }
        corruptReason { try decompress(Array("hello, world".utf8)) }
        // The legacy frame of `lz4 -l`.
        corruptReason { try decompress([0x02, 0x21, 0x4C, 0x18, 0x01, 0x00, 0x00, 0x00, 0x10]) }
        // A block larger than the descriptor's 64 KiB maximum.
        corruptReason { try decompress(frameMagic + [0x60, 0x40, 0x82] + littleEndian32(65537) + [0x00]) }
    }

    // MARK: - Output limit

    @Test func outputAboveTheLimitIsRejected() throws {
        var random = SeededGenerator(seed: 0x11A)
        for size in [1, 1000, 10_000, 65536, 65537, 300_000] {
            let input = random.words(size)
            let frame = try compress(input)
            for expectedSize in [0, size, size * 10] {
                #expect(try decompress(frame, expectedSize: expectedSize, limit: size) == input,
                        "exactly the limit of \(size), hint \(expectedSize)")
                #expect(try decompress(frame, expectedSize: expectedSize, limit: size + 1) == input)
                let reason = corruptReason("\(size) bytes over a limit of \(size - 1), hint \(expectedSize)") {
                    try decompress(frame, expectedSize: expectedSize, limit: size - 1)
                }
                #expect(reason?.contains("limit of \(size - 1) bytes") == true)
            }
        }
    }

    /// A frame of a few hundred KiB that inflates to 64 MiB stops at the limit.
    @Test func decompressionBombStopsAtTheLimit() throws {
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        let frame = try compress(zeros)
        #expect(frame.count < 1 << 20)
        let reason = corruptReason { try decompress(frame, expectedSize: Int(Int32.max), limit: 1 << 20) }
        #expect(reason?.contains("limit") == true)
    }

    /// The reused-buffer form grows its region as the array form does, returns the same
    /// bytes, and enforces the same limit.
    @Test func decompressIntoScratchGrowsAndMatchesTheArrayForm() throws {
        let input = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 / 1000) }
        let frame = try input.withUnsafeBytes { try LZ4Frame.compress($0) }
        var region = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        defer { region.deallocate() }
        var requests: [Int] = []
        let output = try frame.withUnsafeBytes { framed in
            try LZ4Frame.decompress(framed, expectedSize: 0, limit: 1 << 20) { count in
                requests.append(count)
                region.deallocate()
                region = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                return region
            }
        }
        #expect(Array(output) == input)
        #expect(requests.count > 1)
        #expect(throws: BasaltError.self) {
            _ = try frame.withUnsafeBytes { framed in
                try LZ4Frame.decompress(framed, expectedSize: 0, limit: 100_000) { count in
                    region.deallocate()
                    region = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                    return region
                }
            }
        }
    }
}
