import CCRC32C
import Testing

@testable import Basalt
import BasaltTesting

/// The portable table loop, the reference the hardware path must agree with.
private func portable(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
    basalt_crc32c_portable(crc, bytes.baseAddress, bytes.count)
}

private func portable(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
    bytes.withUnsafeBytes { portable($0, continuing: crc) }
}

@Suite struct CRC32CTests {
    @Test func checkValue() {
        let input = Array("123456789".utf8)
        #expect(CRC32C.checksum(input) == 0xE306_9283)
        #expect(portable(input) == 0xE306_9283)
    }

    @Test func emptyInputIsZeroAndKeepsTheRunningValue() {
        #expect(CRC32C.checksum([]) == 0)
        #expect(portable([]) == 0)
        #expect(CRC32C.checksum([], continuing: 0xE306_9283) == 0xE306_9283)
        #expect(CRC32C.checksum(UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
    }

    /// The iSCSI test vectors of RFC 3720, appendix B.4.
    @Test(arguments: [
        ([UInt8](repeating: 0, count: 32), UInt32(0x8A91_36AA)),
        ([UInt8](repeating: 0xFF, count: 32), UInt32(0x62A8_AB43)),
        ((0..<32).map { UInt8($0) }, UInt32(0x46DD_794E)),
        ((0..<32).reversed().map { UInt8($0) }, UInt32(0x113F_DB5C)),
    ])
    func rfc3720Vectors(input: [UInt8], expected: UInt32) {
        #expect(CRC32C.checksum(input) == expected)
        #expect(portable(input) == expected)
    }

    /// A 48-byte iSCSI read command PDU, the last vector of RFC 3720 B.4.
    @Test func rfc3720ReadCommand() {
        let pdu: [UInt8] = [
            0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
            0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(CRC32C.checksum(pdu) == 0xD996_3A56)
        #expect(portable(pdu) == 0xD996_3A56)
    }

    /// Every length 0...1000, each at a start offset 0...7 from an 8-byte aligned base,
    /// so the 8-byte loop, the byte tail and the 3×256 interleaved loop all see
    /// misaligned input.
    @Test func hardwareMatchesPortableForEveryLengthUpTo1000() {
        var random = SeededGenerator(seed: 0xC5C3_2C01)
        let buffer = random.bytes(1000 + 8)
        buffer.withUnsafeBytes { raw in
            for length in 0...1000 {
                let offset = length % 8
                let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                let expected = portable(slice)
                #expect(CRC32C.checksum(slice) == expected, "length \(length) at offset \(offset)")
            }
        }
    }

    @Test func hardwareMatchesPortableOnManyRandomBuffers() {
        var random = SeededGenerator(seed: 0x5EED_0002)
        for _ in 0..<2000 {
            let length = Int.random(in: 0...1000, using: &random)
            let offset = Int.random(in: 0...7, using: &random)
            let seed = UInt32.random(in: .min ... .max, using: &random)
            let buffer = random.bytes(offset + length)
            buffer.withUnsafeBytes { raw in
                let slice = UnsafeRawBufferPointer(rebasing: raw[offset...])
                #expect(CRC32C.checksum(slice, continuing: seed) == portable(slice, continuing: seed),
                        "length \(length) at offset \(offset), seed \(seed)")
            }
        }
    }

    /// Lengths on both sides of every block boundary of the interleaved loops: one
    /// large round (3 × 8192), one small round (3 × 256), two rounds of each, a large
    /// round followed by small rounds, and the 8-byte tail after each.
    @Test func hardwareMatchesPortableAroundBlockBoundaries() {
        let large = 3 * 8192
        let small = 3 * 256
        let bases = [small, 2 * small, 3 * small, large, large + small, large + 2 * small, 2 * large,
                     2 * large + small, 3 * large, 64 * 1024, 1 << 20]
        var lengths: Set<Int> = []
        for base in bases {
            for delta in -17...17 { lengths.insert(base + delta) }
        }
        var random = SeededGenerator(seed: 0xB10C_4B0D)
        let maxLength = lengths.max()!
        let buffer = random.bytes(maxLength + 8)
        buffer.withUnsafeBytes { raw in
            for length in lengths.sorted() {
                for offset in 0...7 {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)])
                    #expect(CRC32C.checksum(slice) == portable(slice), "length \(length) at offset \(offset)")
                }
            }
        }
    }

    /// Zeros and all-ones buffers long enough for the large loop: registers that stay
    /// zero or saturate are where a wrong shift table would still look plausible.
    @Test(arguments: [UInt8(0x00), 0xFF, 0x80, 0x01])
    func hardwareMatchesPortableOnConstantBuffers(fill: UInt8) {
        for length in [767, 768, 769, 24575, 24576, 24577, 100_000] {
            let buffer = [UInt8](repeating: fill, count: length)
            #expect(CRC32C.checksum(buffer) == portable(buffer), "length \(length) of \(fill)")
        }
    }

    @Test func continuationEqualsChecksumOfTheConcatenation() {
        var random = SeededGenerator(seed: 0xC0_4714)
        for _ in 0..<500 {
            let total = Int.random(in: 0...(3 * 8192 + 3 * 256 + 100), using: &random)
            let split = Int.random(in: 0...total, using: &random)
            let whole = random.bytes(total)
            let first = Array(whole[..<split])
            let second = Array(whole[split...])
            let expected = CRC32C.checksum(whole)
            #expect(CRC32C.checksum(second, continuing: CRC32C.checksum(first)) == expected,
                    "split \(split) of \(total)")
            #expect(portable(second, continuing: portable(first)) == expected, "split \(split) of \(total)")
        }
    }

    @Test func continuationOfTheCheckValueInPieces() {
        let input = Array("123456789".utf8)
        var crc: UInt32 = 0
        for byte in input {
            crc = CRC32C.checksum([byte], continuing: crc)
        }
        #expect(crc == 0xE306_9283)
    }

    @Test func everySingleBitFlipChangesTheChecksum() {
        var random = SeededGenerator(seed: 0xF11B)
        var buffer = random.bytes(300)
        let original = CRC32C.checksum(buffer)
        for bit in 0..<(buffer.count * 8) {
            buffer[bit / 8] ^= 1 << (bit % 8)
            #expect(CRC32C.checksum(buffer) != original, "bit \(bit)")
            buffer[bit / 8] ^= 1 << (bit % 8)
        }
        #expect(CRC32C.checksum(buffer) == original)
    }
}
