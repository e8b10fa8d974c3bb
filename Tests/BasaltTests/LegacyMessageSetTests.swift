import Testing

@testable import Basalt

/// Message sets of magic 0 and 1: conversion to record batches v2 and back, every codec,
/// and the hostile shapes an old or malicious client can send.
@Suite struct LegacyMessageSetTests {
    static let t0: Int64 = 1_700_000_000_000

    static func message(
        _ offset: Int64, key: [UInt8]?, value: [UInt8]?, magic: Int8, timestamp: Int64 = -1,
        codec: CompressionCodec = .none, logAppendTime: Bool = false
    ) -> [UInt8] {
        var out: [UInt8] = []
        LegacyMessageSet.appendMessage(
            to: &out, offset: offset, magic: magic, logAppendTime: logAppendTime, timestamp: timestamp,
            key: key.map { $0[...] }, value: value.map { $0[...] }, codec: codec)
        return out
    }

    /// A compressed wrapper as old clients write it; magic 0 LZ4 gets Kafka 0.8's broken
    /// header checksum (computed over the frame magic too).
    static func wrapper(_ inner: [UInt8], codec: CompressionCodec, magic: Int8, timestamp: Int64 = -1,
                        logAppendTime: Bool = false) throws -> [UInt8] {
        var compressed = try inner.withUnsafeBytes { try codec.compress($0) }
        if codec == .lz4 && magic == 0 {
            let end = 6 + (compressed[4] & 0x08 != 0 ? 8 : 0)
            let broken = compressed.withUnsafeBytes { XXHash32.hash(UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
            #expect(UInt8(truncatingIfNeeded: broken >> 8) != compressed[end], "the broken checksum differs")
            compressed[end] = UInt8(truncatingIfNeeded: broken >> 8)
        }
        return message(0, key: nil, value: compressed, magic: magic, timestamp: timestamp, codec: codec,
                       logAppendTime: logAppendTime)
    }

    static func rows(_ count: Int) -> [(key: [UInt8]?, value: [UInt8]?, timestamp: Int64)] {
        (0..<count).map { index in
            (index % 3 == 0 ? nil : Array("key-\(index)".utf8), index % 4 == 3 ? nil : Array(repeating: UInt8(index), count: index * 7),
             t0 + Int64(index))
        }
    }

    static func convert(_ set: [UInt8]) throws -> [ConsumerRecord] {
        let converted = try set.withUnsafeBytes { try LegacyMessageSet.convertToBatch($0, maxMessageBytes: 1 << 20) }
        return try RecordBatch(storage: converted.batch).records()
    }

    @Test func xxhash32MatchesItsReferenceVectors() {
        #expect(XXHash32.hash(UnsafeRawBufferPointer(start: nil, count: 0)) == 0x02CC_5D05)
        #expect(Array("abc".utf8).withUnsafeBytes { XXHash32.hash($0) } == 0x32D1_53FF)
        #expect(Array("Nobody inspects the spammish repetition".utf8).withUnsafeBytes { XXHash32.hash($0) } == 0xE229_3B2F)
    }

    @Test func crcIsIEEE() {
        // CRC-32 of "123456789" is 0xCBF43926 (IEEE); CRC-32C would be 0xE3069283.
        #expect(Array("123456789".utf8).withUnsafeBytes { LegacyMessageSet.checksum($0) } == 0xCBF4_3926)
    }

    @Test(arguments: [Int8(0), 1], CompressionCodec.allCases.filter { $0 != .zstd })
    func convertsEveryCodecAndMagic(magic: Int8, codec: CompressionCodec) throws {
        let rows = Self.rows(9)
        let inner = rows.enumerated().flatMap { index, row in
            Self.message(Int64(index), key: row.key, value: row.value, magic: magic, timestamp: row.timestamp)
        }
        let set = codec == .none ? inner : try Self.wrapper(inner, codec: codec, magic: magic, timestamp: Self.t0 + 8)
        let converted = try set.withUnsafeBytes { try LegacyMessageSet.convertToBatch($0, maxMessageBytes: 1 << 20) }
        let batch = try RecordBatch(storage: converted.batch)
        #expect(batch.header.compression == codec)
        let records = try batch.records()
        #expect(records.map { $0.key.map(Array.init) } == rows.map(\.key))
        #expect(records.map { $0.value.map(Array.init) } == rows.map(\.value))
        #expect(records.map(\.timestamp) == rows.map { magic == 0 ? -1 : $0.timestamp })
        #expect(records.map(\.offset) == Array(0..<9))
    }

    @Test func logAppendTimeWrapperGivesItsTimeToEveryMessage() throws {
        let inner = Self.message(0, key: nil, value: [1], magic: 1, timestamp: 5) + Self.message(1, key: nil, value: [2], magic: 1, timestamp: 6)
        let set = try Self.wrapper(inner, codec: .gzip, magic: 1, timestamp: Self.t0, logAppendTime: true)
        #expect(try Self.convert(set).map(\.timestamp) == [Self.t0, Self.t0])
    }

    @Test func downConvertsBatchesToBothMagics() throws {
        let records = Self.rows(6).map { Record(key: $0.key, value: $0.value, headers: [RecordHeader(key: "h", value: [1])], timestamp: $0.timestamp) }
        var batches = try RecordBatchEncoder.encode(Array(records[0..<3]), compression: .lz4, baseOffset: 10, timestamp: 0)
        batches += try RecordBatchEncoder.encode(Array(records[3...]), compression: .none, baseOffset: 13, timestamp: 0)
        for magic: Int8 in [0, 1] {
            let (bytes, ends) = try LegacyMessageSet.downConvert(batches, from: 11, magic: magic)
            #expect(ends.count == 5 && ends.last == bytes.count)
            let back = try bytes.withUnsafeBytes { try LegacyMessageSet.parse($0, maxMessageBytes: 1 << 20).messages }
            #expect(back.map(\.offset) == Array(11...15))
            #expect(back.map(\.key) == records[1...].map(\.key))
            #expect(back.map(\.value) == records[1...].map(\.value))
            #expect(back.map(\.timestamp) == records[1...].map { magic == 0 ? -1 : $0.timestamp! })
            #expect(back.allSatisfy { $0.magic == magic })
        }
    }

    @Test func downConversionStopsAtTheFirstMessagePastTheLimit() throws {
        let batch = try RecordBatchEncoder.encode((0..<50).map { Record(value: [UInt8](repeating: 1, count: $0)) },
                                                  compression: .gzip, timestamp: 0)
        let whole = try LegacyMessageSet.downConvert(batch, from: 0, magic: 0)
        #expect(whole.messageEnds.count == 50)
        let limit = whole.messageEnds[9] + 1
        let cut = try LegacyMessageSet.downConvert(batch, from: 0, magic: 0, maxBytes: limit)
        #expect(cut.messageEnds == Array(whole.messageEnds[0...10]))
        #expect(cut.bytes == Array(whole.bytes[..<whole.messageEnds[10]]))
        let first = try LegacyMessageSet.downConvert(batch, from: 0, magic: 0, maxBytes: 0)
        #expect(first.messageEnds == [whole.messageEnds[0]])
    }

    @Test func zstdBatchesCannotBeDownConverted() throws {
        let batch = try RecordBatchEncoder.encode([Record(value: [1])], compression: .zstd, timestamp: 0)
        #expect(throws: BasaltError.self) { try LegacyMessageSet.downConvert(batch, from: 0, magic: 1) }
        do {
            _ = try LegacyMessageSet.downConvert(batch, from: 0, magic: 1)
        } catch let error as BasaltError {
            guard case .unsupportedCompression = error else { Issue.record("\(error)"); return }
        }
    }

    static func failure(_ set: [UInt8]) -> BasaltError? {
        do {
            _ = try set.withUnsafeBytes { try LegacyMessageSet.convertToBatch($0, maxMessageBytes: 4096) }
            return nil
        } catch let error as BasaltError {
            return error
        } catch {
            return nil
        }
    }

    @Test func hostileSetsGetTypedErrors() throws {
        let good = Self.message(0, key: [1], value: [2], magic: 0)
        func kind(_ set: [UInt8]) -> String {
            switch Self.failure(set) {
            case .crcMismatch?: "crc"
            case .corruptMessage?: "corrupt"
            case .invalidBatch?: "invalid"
            case .unsupportedCompression?: "compression"
            case .messageTooLarge?: "large"
            case .corruptCompressedData?: "compressed"
            case let other?: "\(other)"
            case nil: "accepted"
            }
        }
        var hugeSize = good
        hugeSize.replaceSubrange(8..<12, with: [0x80, 0, 0, 0])
        #expect(kind(hugeSize) == "corrupt")
        var pastEnd = good
        pastEnd.replaceSubrange(8..<12, with: [0x7F, 0xFF, 0xFF, 0xFF])
        #expect(kind(pastEnd) == "corrupt")
        var badCRC = good
        badCRC[12] ^= 0xFF
        #expect(kind(badCRC) == "crc")
        #expect(kind(good + good.dropLast(2)) == "corrupt")
        #expect(kind(good + [0, 0, 0]) == "corrupt")
        #expect(kind([]) == "invalid")
        #expect(kind(try Self.wrapper(try Self.wrapper(good, codec: .gzip, magic: 0), codec: .gzip, magic: 0)) == "invalid")
        #expect(kind(try Self.wrapper(Self.message(0, key: nil, value: [1], magic: 1, timestamp: 0), codec: .gzip, magic: 0)) == "invalid")
        #expect(kind(Self.message(0, key: nil, value: [0x28, 0xB5, 0x2F, 0xFD], magic: 0, codec: .zstd)) == "compression")
        #expect(kind(Self.message(0, key: nil, value: nil, magic: 0, codec: .gzip)) == "invalid")
        #expect(kind(Self.message(0, key: nil, value: [1, 2, 3], magic: 0, codec: .gzip)) == "compressed")
        #expect(kind(Self.message(0, key: nil, value: [UInt8](repeating: 1, count: 5000), magic: 0)) == "large")
        // A key length that runs past the message, with a CRC that covers it.
        var longKey = Self.message(0, key: [1, 2], value: nil, magic: 0)
        longKey.replaceSubrange(18..<22, with: [0, 0, 0, 9])
        let crc = longKey.withUnsafeBytes { LegacyMessageSet.checksum(UnsafeRawBufferPointer(rebasing: $0[16...])) }
        longKey.replaceSubrange(12..<16, with: (0..<4).map { UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32($0))) })
        #expect(kind(longKey) == "corrupt")
    }
}
