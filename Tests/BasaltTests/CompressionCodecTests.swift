import Testing

@testable import Basalt
import BasaltTesting

/// Runs `body`, which must throw ``BasaltError/corruptCompressedData(reason:)``; returns
/// the reason.
@discardableResult
func corruptReason(
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> [UInt8]
) -> String? {
    do {
        let output = try body()
        Issue.record("expected corruptCompressedData, got \(output.count) bytes. \(comment.map { "\($0)" } ?? "")",
                     sourceLocation: sourceLocation)
    } catch BasaltError.corruptCompressedData(let reason) {
        return reason
    } catch {
        Issue.record("expected corruptCompressedData, got \(error). \(comment.map { "\($0)" } ?? "")",
                     sourceLocation: sourceLocation)
    }
    return nil
}

extension CompressionCodec {
    /// `compress(_:)` for an array.
    func compressed(_ input: [UInt8]) throws -> [UInt8] {
        try input.withUnsafeBytes { try compress($0) }
    }

    /// `decompress(_:expectedSize:limit:)` for an array, with a generous default limit.
    func decompressed(_ input: [UInt8], expectedSize: Int = 0, limit: Int = 64 << 20) throws -> [UInt8] {
        try input.withUnsafeBytes { try decompress($0, expectedSize: expectedSize, limit: limit) }
    }

    /// The codecs that compress.
    static let compressing: [CompressionCodec] = [.gzip, .snappy, .lz4, .zstd]
}

extension SeededGenerator {
    /// `count` bytes of one of four kinds, picked by `kind`: random, text, zeros, or text
    /// and random in runs (what record batches with binary keys look like).
    mutating func sample(_ count: Int, kind: Int) -> [UInt8] {
        switch kind % 4 {
        case 0: return bytes(count)
        case 1: return words(count)
        case 2: return [UInt8](repeating: 0, count: count)
        default:
            var output: [UInt8] = []
            output.reserveCapacity(count)
            while output.count < count {
                let run = min(count - output.count, Int(next() % 3000) + 1)
                output += next() % 2 == 0 ? words(run) : bytes(run)
            }
            return output
        }
    }
}

/// Properties every codec shares, through the ``CompressionCodec`` entry points; each
/// format's own tests (`GzipStreamTests`, `SnappyStreamTests`, `ZstdStreamTests`,
/// `LZ4FrameTests`) cover what is particular to it.
@Suite struct CompressionCodecTests {
    /// Sizes around snappy's 32 KiB blocks, LZ4's 64 KiB blocks and zstd's 128 KiB blocks.
    static let sizes = [0, 1, 2, 7, 100, 4095, 32_767, 32_768, 32_769, 65_535, 65_536, 65_537, 131_072, 131_073,
                        300_001, (1 << 20) + 5]

    @Test(arguments: CompressionCodec.allCases)
    func everySizeAndKindRoundTrips(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0x5123 + UInt64(codec.rawValue))
        for size in Self.sizes {
            for kind in 0..<4 {
                let input = random.sample(size, kind: kind)
                let compressed = try codec.compressed(input)
                for expectedSize in [0, 1, size / 3, size, size * 5] {
                    #expect(try codec.decompressed(compressed, expectedSize: expectedSize) == input,
                            "\(size) bytes of kind \(kind), hint \(expectedSize)")
                }
                if codec != .none {
                    #expect(try codec.decompressed(compressed, limit: size) == input, "exactly the limit, \(size) bytes")
                }
            }
        }
    }

    /// Random sizes and contents, seeded: decompress(compress(x)) == x.
    @Test(arguments: CompressionCodec.compressing)
    func randomInputsRoundTrip(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0xD1CE + UInt64(codec.rawValue))
        for iteration in 0..<120 {
            let size = random.next() % 4 == 0 ? Int(random.next() % 300_000) : Int(random.next() % 2000)
            let input = random.sample(size, kind: Int(random.next() % 4))
            let compressed = try codec.compressed(input)
            let hint = Int(random.next() % UInt64(2 * size + 1))
            #expect(try codec.decompressed(compressed, expectedSize: hint, limit: size) == input,
                    "iteration \(iteration), \(size) bytes")
        }
    }

    @Test(arguments: CompressionCodec.compressing)
    func compressibleInputShrinks(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0xC0)
        let text = random.words(1 << 20)
        #expect(try codec.compressed(text).count < text.count / 2)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        #expect(try codec.compressed(zeros).count < 64 << 10)
    }

    @Test(arguments: CompressionCodec.compressing)
    func outputAboveTheLimitIsRejected(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0x11A + UInt64(codec.rawValue))
        for size in [1, 1000, 32_769, 65_537, 300_000] {
            let input = random.sample(size, kind: size % 4)
            let compressed = try codec.compressed(input)
            for expectedSize in [0, size, size * 10, Int(Int32.max)] {
                #expect(try codec.decompressed(compressed, expectedSize: expectedSize, limit: size) == input)
                let reason = corruptReason("\(codec): \(size) bytes over a limit of \(size - 1), hint \(expectedSize)") {
                    try codec.decompressed(compressed, expectedSize: expectedSize, limit: size - 1)
                }
                #expect(reason?.contains("limit of \(size - 1) bytes") == true, "\(reason ?? "")")
            }
        }
    }

    /// 64 MiB of zeros compress to a few KiB or MiB; decoding stops at a 1 MiB limit even
    /// when told to expect two gigabytes.
    @Test(arguments: CompressionCodec.compressing)
    func decompressionBombStopsAtTheLimit(codec: CompressionCodec) throws {
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        let compressed = try codec.compressed(zeros)
        #expect(compressed.count < 4 << 20)
        let reason = corruptReason("\(codec)") {
            try codec.decompressed(compressed, expectedSize: Int(Int32.max), limit: 1 << 20)
        }
        #expect(reason?.contains("limit of 1048576 bytes") == true, "\(reason ?? "")")
    }

    @Test(arguments: CompressionCodec.compressing)
    func inputThatIsNoStreamIsCorrupt(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0x0F + UInt64(codec.rawValue))
        corruptReason("\(codec): empty") { try codec.decompressed([]) }
        corruptReason("\(codec): one zero byte, four zero bytes") { try codec.decompressed([0, 0, 0, 0]) }
        corruptReason("\(codec): random") { try codec.decompressed(random.bytes(100)) }
        corruptReason("\(codec): text") { try codec.decompressed(Array("hello, world".utf8)) }
        let input = random.words(5000)
        for other in CompressionCodec.compressing where other != codec {
            corruptReason("\(codec): a \(other) stream") { try codec.decompressed(try other.compressed(input)) }
        }
    }

    /// The bytes after the end of a stream must be another whole stream or nothing.
    @Test(arguments: CompressionCodec.compressing)
    func strayBytesAfterTheStreamAreCorrupt(codec: CompressionCodec) throws {
        let compressed = try codec.compressed(Array("hello, hello, hello".utf8))
        corruptReason("\(codec) + 1 byte") { try codec.decompressed(compressed + [0]) }
        corruptReason("\(codec) + 4 zero bytes") { try codec.decompressed(compressed + [0, 0, 0, 0]) }
        corruptReason("\(codec) + 2 bytes") { try codec.decompressed(compressed + [0x01, 0x02]) }
    }

    /// Any byte of a stream replaced: decoding fails with the typed error or returns
    /// output within the limit. A crash, hang or other error here is a bug.
    @Test(arguments: CompressionCodec.compressing)
    func damagedBytesAreCorruptOrDecodeWithinBounds(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0xF3 + UInt64(codec.rawValue))
        let input = random.words(3000) + random.bytes(200)
        let compressed = try codec.compressed(input)
        for position in 0..<compressed.count {
            for value in [UInt8(0x00), 0xFF, compressed[position] ^ 0x01, compressed[position] ^ 0x80] {
                var damaged = compressed
                damaged[position] = value
                do {
                    let output = try codec.decompressed(damaged, limit: 1 << 20)
                    #expect(output.count <= 1 << 20)
                } catch BasaltError.corruptCompressedData {
                } catch {
                    Issue.record("\(codec): byte \(position) = \(value): unexpected \(error)")
                }
            }
        }
    }

    @Test func noneIsTheIdentity() throws {
        var random = SeededGenerator(seed: 0)
        let input = random.bytes(1000)
        #expect(try CompressionCodec.none.compressed(input) == input)
        #expect(try CompressionCodec.none.decompressed(input, limit: 0) == input)
        #expect(CompressionCodec.allCases.allSatisfy { $0.isSupported })
    }
}
