import Testing

@testable import Basalt
import BasaltTesting

/// Encodes `value` with ``Varint/write(_:to:)-(Int64,_)`` into a buffer with guard
/// bytes after it, checks the writer stayed inside ``Varint/size(of:)-(Int64)`` bytes.
private func encode(_ value: Int64, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    var buffer = [UInt8](repeating: 0xAA, count: 16)
    let written = buffer.withUnsafeMutableBytes { Varint.write(value, to: $0.baseAddress!) }
    #expect(written == Varint.size(of: value), "size(of: \(value))", sourceLocation: sourceLocation)
    #expect(buffer[written...].allSatisfy { $0 == 0xAA }, "wrote past \(written) bytes", sourceLocation: sourceLocation)
    return Array(buffer[..<written])
}

/// Reads one varlong from `bytes` at `position`; returns the value and the new position.
private func decode(_ bytes: [UInt8], at position: Int = 0) -> (value: Int64?, position: Int) {
    var position = position
    let value = bytes.withUnsafeBytes { Varint.read($0, &position) }
    return (value, position)
}

private func decode32(_ bytes: [UInt8], at position: Int = 0) -> (value: Int?, position: Int) {
    var position = position
    let value = bytes.withUnsafeBytes { Varint.read32($0, &position) }
    return (value, position)
}

/// Kafka's examples (kafka-compat §1.1) and the ends of the 32- and 64-bit ranges.
private let knownEncodingCases: [(value: Int64, bytes: [UInt8])] = [
    (Int64(0), [UInt8(0x00)]),
    (-1, [0x01]),
    (1, [0x02]),
    (-2, [0x03]),
    (12, [0x18]),
    (63, [0x7E]),
    (-64, [0x7F]),
    (64, [0x80, 0x01]),
    (-65, [0x81, 0x01]),
    (300, [0xD8, 0x04]),
    (8191, [0xFE, 0x7F]),
    (8192, [0x80, 0x80, 0x01]),
    (Int64(Int32.max), [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
    (Int64(Int32.min), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    (Int64(Int32.max) + 1, [0x80, 0x80, 0x80, 0x80, 0x10]),
    (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
]

@Suite struct VarintTests {
    @Test(arguments: knownEncodingCases)
    func knownEncodings(value: Int64, expected: [UInt8]) {
        #expect(encode(value) == expected)
        #expect(Varint.size(of: value) == expected.count)
        #expect(Varint.size(of: Int(value)) == expected.count)
        let decoded = decode(expected)
        #expect(decoded.value == value)
        #expect(decoded.position == expected.count)
    }

    @Test func zigzagMapsSmallMagnitudesToSmallNumbers() {
        #expect(Varint.zigzag(0) == 0)
        #expect(Varint.zigzag(-1) == 1)
        #expect(Varint.zigzag(1) == 2)
        #expect(Varint.zigzag(-2) == 3)
        #expect(Varint.zigzag(Int64.max) == UInt64.max - 1)
        #expect(Varint.zigzag(Int64.min) == UInt64.max)
        #expect(Varint.unzigzag(UInt64.max) == Int64.min)
        #expect(Varint.unzigzag(UInt64.max - 1) == Int64.max)
    }

    @Test func intOverloadWritesTheSameBytes() {
        for value in [0, -1, 1, 63, 64, -65, Int(Int32.max), Int(Int32.min), Int.max, Int.min] {
            var buffer = [UInt8](repeating: 0, count: 10)
            let written = buffer.withUnsafeMutableBytes { Varint.write(value, to: $0.baseAddress!) }
            #expect(Array(buffer[..<written]) == encode(Int64(value)))
        }
    }

    /// Every power of two and its neighbours, positive and negative, so every encoded
    /// length from 1 to 10 bytes and every boundary between them is crossed.
    @Test func roundTripOfEdgeValues() {
        var values: [Int64] = [0, 1, -1, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
        for shift in 0..<63 {
            let power = Int64(1) << shift
            values += [power - 1, power, power + 1, -power - 1, -power, -power + 1]
        }
        for value in values {
            let bytes = encode(value)
            let decoded = decode(bytes)
            #expect(decoded.value == value, "value \(value)")
            #expect(decoded.position == bytes.count)
            #expect(bytes.count == Varint.size(of: value))
        }
    }

    @Test func sizeChangesExactlyAtSevenBitBoundaries() {
        for length in 1...9 {
            // zigzag(v) < 2^(7·length) is the largest value that fits `length` bytes.
            let largestPositive = (Int64(1) << (7 * length - 1)) - 1
            let smallestNegative = -(Int64(1) << (7 * length - 1))
            #expect(Varint.size(of: largestPositive) == length)
            #expect(Varint.size(of: largestPositive + 1) == length + 1)
            #expect(Varint.size(of: smallestNegative) == length)
            #expect(Varint.size(of: smallestNegative - 1) == length + 1)
        }
    }

    @Test func roundTripOfRandomValues() {
        var random = SeededGenerator(seed: 0x7A21_0001)
        for _ in 0..<20_000 {
            // A random bit width first, so short encodings are as common as long ones.
            let bits = Int.random(in: 0...64, using: &random)
            let raw = bits == 64 ? random.next() : random.next() & ((1 << UInt64(bits)) - 1)
            let value = Bool.random(using: &random) ? Int64(bitPattern: raw) : 0 &- Int64(bitPattern: raw)
            let bytes = encode(value)
            let decoded = decode(bytes)
            #expect(decoded.value == value)
            #expect(decoded.position == bytes.count)
        }
    }

    @Test func readsASequenceAndAdvancesExactly() {
        var random = SeededGenerator(seed: 0x5E0)
        var values: [Int64] = []
        var bytes: [UInt8] = []
        for _ in 0..<1000 {
            let value = Int64(bitPattern: random.next()) >> Int64.random(in: 0...63, using: &random)
            values.append(value)
            bytes += encode(value)
        }
        var position = 0
        bytes.withUnsafeBytes { raw in
            for value in values {
                #expect(Varint.read(raw, &position) == value)
            }
            #expect(position == raw.count)
            #expect(Varint.read(raw, &position) == nil)
            #expect(position == raw.count)
        }
    }

    @Test func emptyInputAndReadingAtTheEndReturnNil() {
        #expect(decode([]).value == nil)
        #expect(decode([]).position == 0)
        #expect(decode([0x02], at: 1).value == nil)
        #expect(decode([0x02], at: 1).position == 1)
    }

    /// Every proper prefix of a multi-byte encoding ends inside a continuation byte:
    /// nil, and the position does not move.
    @Test func truncatedInputReturnsNilAndKeepsThePosition() {
        for value in [Int64(64), -65, 8192, Int64(Int32.max), Int64(Int32.min), Int64.max, Int64.min] {
            let bytes = encode(value)
            for length in 0..<bytes.count {
                let prefix = [0x42] + Array(bytes[..<length])
                let decoded = decode(prefix, at: 1)
                #expect(decoded.value == nil, "\(length) of \(bytes.count) bytes of \(value)")
                #expect(decoded.position == 1)
                let decoded32 = decode32(prefix, at: 1)
                #expect(decoded32.value == nil)
                #expect(decoded32.position == 1)
            }
        }
    }

    /// A varlong is at most 10 bytes: an 11th byte is never read, even when it would end
    /// the number.
    @Test func encodingsLongerThanTenBytesReturnNil() {
        for continuationBytes in 10...16 {
            let bytes = [UInt8](repeating: 0x80, count: continuationBytes) + [0x00]
            let decoded = decode(bytes)
            #expect(decoded.value == nil, "\(continuationBytes) continuation bytes")
            #expect(decoded.position == 0)
        }
        let elevenBytes = [UInt8](repeating: 0xFF, count: 10) + [0x01]
        #expect(decode(elevenBytes).value == nil)
        #expect(decode32(elevenBytes).value == nil)
        // Ten bytes, the last one final, is the longest accepted form.
        let tenBytes = [UInt8](repeating: 0x80, count: 9) + [0x00]
        #expect(decode(tenBytes).value == 0)
        #expect(decode(tenBytes).position == 10)
    }

    /// Zero-padded encodings within 10 bytes are accepted with their value, as Kafka's
    /// `ByteUtils.readVarlong` does.
    @Test func paddedEncodingsDecodeToTheirValue() {
        #expect(decode([0x80, 0x00]).value == 0)
        #expect(decode([0x82, 0x80, 0x00]).value == 1)
        #expect(decode([0x82, 0x80, 0x00]).position == 3)
    }

    @Test func read32AcceptsTheInt32RangeOnly() {
        for value in [Int64(0), -1, 1, Int64(Int32.max), Int64(Int32.min)] {
            let decoded = decode32(encode(value))
            #expect(decoded.value == Int(value))
            #expect(decoded.position == Varint.size(of: value))
        }
        for value in [Int64(Int32.max) + 1, Int64(Int32.min) - 1, Int64.max, Int64.min] {
            let decoded = decode32(encode(value) + [0x00])
            #expect(decoded.value == nil, "\(value) is outside Int32")
        }
    }
}
