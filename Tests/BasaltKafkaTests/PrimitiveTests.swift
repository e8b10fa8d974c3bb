import NIOCore
import Testing
@testable import BasaltKafka

/// Tests of `ByteBuffer+KafkaRead.swift` and `ByteBuffer+KafkaWrite.swift`.
@Suite struct PrimitiveTests {
    @Test func signedVarintVectorsFromSpec() throws {
        let vectors: [(Int32, [UInt8])] = [(0, [0x00]), (-1, [0x01]), (1, [0x02]), (63, [0x7E]), (64, [0x80, 0x01]),
                                           (12, [0x18]), (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])]
        for (value, bytes) in vectors {
            var buffer = ByteBuffer()
            buffer.writeKafkaVarint(value)
            #expect(buffer.bytesArray == bytes)
            #expect(try buffer.readKafkaVarint() == value)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func varlongRoundTrips() throws {
        var gen = Gen(seed: 1)
        for value in [Int64.min, Int64.max, 0, -1, 1] + (0..<500).map({ _ in gen.i64() }) {
            var buffer = ByteBuffer()
            buffer.writeKafkaVarlong(value)
            #expect(buffer.readableBytes <= 10)
            #expect(try buffer.readKafkaVarlong() == value)
        }
    }

    @Test func unsignedVarintRejectsOverlongEncodings() {
        var sixBytes = ByteBuffer(bytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x00])
        #expect(throws: KafkaProtocolError.malformedVarint) { try sixBytes.readKafkaUnsignedVarint() }
        var tooWide = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x1F])
        #expect(throws: KafkaProtocolError.malformedVarint) { try tooWide.readKafkaUnsignedVarint() }
        var truncated = ByteBuffer(bytes: [0x80, 0x80])
        #expect(throws: KafkaProtocolError.truncated(needed: 1, available: 0)) {
            try truncated.readKafkaUnsignedVarint()
        }
    }

    @Test func fixedWidthIntegersAreBigEndian() throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaInt16(0x0102)
        buffer.writeKafkaInt32(0x0304_0506)
        buffer.writeKafkaInt64(-2)
        buffer.writeKafkaUUID(KafkaUUID(high: 1, low: 2))
        #expect(buffer.bytesArray.prefix(14) == [1, 2, 3, 4, 5, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
        #expect(try buffer.readKafkaInt16() == 0x0102)
        #expect(try buffer.readKafkaInt32() == 0x0304_0506)
        #expect(try buffer.readKafkaInt64() == -2)
        #expect(try buffer.readKafkaUUID() == KafkaUUID(high: 1, low: 2))
        #expect(throws: KafkaProtocolError.truncated(needed: 1, available: 0)) { try buffer.readKafkaInt8() }
    }

    @Test func stringsAndNulls() throws {
        var buffer = ByteBuffer()
        try buffer.writeKafkaNullableString(nil)
        try buffer.writeKafkaString("hé")
        try buffer.writeKafkaNullableString(nil, compact: true)
        try buffer.writeKafkaString("ab", compact: true)
        #expect(buffer.bytesArray == [0xFF, 0xFF, 0x00, 0x03, 0x68, 0xC3, 0xA9, 0x00, 0x03, 0x61, 0x62])
        #expect(try buffer.readKafkaNullableString() == nil)
        #expect(try buffer.readKafkaString() == "hé")
        #expect(try buffer.readKafkaNullableString(compact: true) == nil)
        #expect(try buffer.readKafkaString(compact: true) == "ab")

        var null = ByteBuffer(bytes: [0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.unexpectedNull) { try null.readKafkaString() }
        var negative = ByteBuffer(bytes: [0xFF, 0xFE])
        #expect(throws: KafkaProtocolError.invalidLength(-2)) { try negative.readKafkaNullableString() }
        var short = ByteBuffer(bytes: [0x00, 0x05, 0x61])
        #expect(throws: KafkaProtocolError.truncated(needed: 5, available: 1)) { try short.readKafkaString() }
        var compactTooLong = ByteBuffer()
        compactTooLong.writeKafkaUnsignedVarint(40_000)
        #expect(throws: KafkaProtocolError.invalidLength(39_999)) { try compactTooLong.readKafkaString(compact: true) }
    }

    @Test func bytesAreZeroCopySlices() throws {
        var buffer = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB, 0x03, 0xCC, 0xDD, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try buffer.readKafkaBytes().bytesArray == [0xAA, 0xBB])
        #expect(try buffer.readKafkaBytes(compact: true).bytesArray == [0xCC, 0xDD])
        #expect(try buffer.readKafkaNullableBytes() == nil)
        var huge = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0x00])
        #expect(throws: KafkaProtocolError.truncated(needed: Int(Int32.max), available: 1)) {
            try huge.readKafkaBytes()
        }
    }

    /// A forged element count must be rejected before anything is allocated for it.
    @Test func forgedArrayCountsAreRejected() {
        var huge = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0x00, 0x00])
        #expect(throws: KafkaProtocolError.truncated(needed: Int(Int32.max), available: 2)) {
            try huge.readKafkaInt32Array()
        }
        var compactHuge = ByteBuffer()
        compactHuge.writeKafkaUnsignedVarint(UInt32.max)
        #expect(throws: KafkaProtocolError.invalidLength(Int64(UInt32.max) - 1)) {
            try compactHuge.readKafkaInt32Array(compact: true)
        }
        var negative = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(throws: KafkaProtocolError.invalidLength(-2)) { try negative.readKafkaInt32Array() }
        var null = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.unexpectedNull) { try null.readKafkaInt32Array() }
    }

    @Test func arraysRoundTripInBothEncodings() throws {
        for compact in [false, true] {
            var buffer = ByteBuffer()
            try buffer.writeKafkaInt32Array([1, -1, 7], compact: compact)
            try buffer.writeKafkaStringArray(["x", ""], compact: compact)
            try buffer.writeKafkaNullableArray(nil as [Int32]?, compact: compact) { $0.writeKafkaInt32($1) }
            #expect(try buffer.readKafkaInt32Array(compact: compact) == [1, -1, 7])
            #expect(try buffer.readKafkaStringArray(compact: compact) == ["x", ""])
            let null = try buffer.readKafkaNullableArray(compact: compact) {
                (b: inout ByteBuffer) throws(KafkaProtocolError) in try b.readKafkaInt32()
            }
            #expect(null == nil)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func unknownTaggedFieldsAreSkipped() throws {
        // Two tags (0: 2 bytes, 5: 0 bytes), then a marker byte that must remain.
        var buffer = ByteBuffer(bytes: [0x02, 0x00, 0x02, 0xAA, 0xBB, 0x05, 0x00, 0x42])
        try buffer.skipKafkaTaggedFields()
        #expect(buffer.bytesArray == [0x42])
        var truncated = ByteBuffer(bytes: [0x01, 0x00, 0x05, 0xAA])
        #expect(throws: KafkaProtocolError.truncated(needed: 5, available: 1)) {
            try truncated.skipKafkaTaggedFields()
        }
        var empty = ByteBuffer()
        empty.writeKafkaEmptyTaggedFields()
        #expect(empty.bytesArray == [0x00])
    }

    /// Malformed UTF-8 is refused, not repaired: a repaired string grows (each U+FFFD is
    /// three bytes) and may no longer fit the length it is echoed with.
    @Test(arguments: [
        [UInt8](repeating: 0xFF, count: 11_000),  // invalid bytes that triple under repair
        [0x61, 0xED, 0xA0, 0x80],  // a UTF-16 surrogate encoded in UTF-8
        [0xC0, 0xAF],  // an overlong "/"
        [0xE2, 0x82],  // a character cut short
    ])
    func invalidUTF8IsRefused(bytes: [UInt8]) throws {
        for compact in [false, true] {
            var buffer = ByteBuffer()
            if compact {
                buffer.writeKafkaUnsignedVarint(UInt32(bytes.count + 1))
            } else {
                buffer.writeKafkaInt16(Int16(bytes.count))
            }
            buffer.writeBytes(bytes)
            #expect(throws: KafkaProtocolError.invalidUTF8(byteCount: bytes.count)) {
                try buffer.readKafkaString(compact: compact)
            }
        }
    }

    /// Property: any bytes under a string length either decode to a string that encodes
    /// back to the same bytes, or are refused with a typed error.
    @Test func decodedStringsAlwaysEncodeBack() throws {
        var random = SplitMix64(seed: 0x5EED_0008)
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...40, using: &random)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            var buffer = ByteBuffer()
            buffer.writeKafkaInt16(Int16(count))
            buffer.writeBytes(bytes)
            guard let string = try? buffer.readKafkaString() else { continue }
            var encoded = ByteBuffer()
            try encoded.writeKafkaString(string)
            #expect(encoded.bytesArray == [UInt8(count >> 8), UInt8(count & 0xFF)] + bytes)
        }
    }

    /// Values the length prefix cannot carry throw instead of trapping.
    @Test func encodersThrowForValuesTheirLengthCannotCarry() throws {
        let tooLong = String(repeating: "x", count: Int(Int16.max) + 1)
        var buffer = ByteBuffer()
        #expect(throws: KafkaEncodingError.lengthOutOfRange(Int(Int16.max) + 1, limit: Int(Int16.max))) {
            try buffer.writeKafkaString(tooLong)
        }
        #expect(throws: KafkaEncodingError.lengthOutOfRange(Int(Int16.max) + 1, limit: Int(Int16.max))) {
            try buffer.writeKafkaString(tooLong, compact: true)
        }
        #expect(throws: KafkaEncodingError.lengthOutOfRange(Int(Int16.max) + 1, limit: Int(Int16.max))) {
            try buffer.writeKafkaStringArray(["ok", tooLong])
        }
        let longest = String(repeating: "x", count: Int(Int16.max))
        var fits = ByteBuffer()
        try fits.writeKafkaString(longest)
        #expect(fits.readableBytes == 2 + Int(Int16.max))
        // A response echoing the long name fails as a whole, with the same typed error.
        let response = KafkaResponse.findCoordinator(FindCoordinatorResponse(nodeId: 1, host: tooLong, port: 1))
        var frame = ByteBuffer()
        #expect(throws: KafkaEncodingError.lengthOutOfRange(Int(Int16.max) + 1, limit: Int(Int16.max))) {
            try response.encodeFrame(correlationId: 1, version: 1, into: &frame)
        }
    }

    /// A request header and body of different APIs is a typed error.
    @Test func mismatchedHeaderAndBodyThrow() {
        var buffer = ByteBuffer()
        let header = RequestHeader(apiKey: .metadata, apiVersion: 1, correlationId: 1, clientId: nil)
        #expect(throws: KafkaEncodingError.mismatchedApiKey(header: .metadata, body: .apiVersions)) {
            try KafkaRequest.apiVersions(ApiVersionsRequest()).encodeFrame(header: header, into: &buffer)
        }
    }
}
