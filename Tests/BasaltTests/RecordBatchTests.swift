import Glibc
import Testing

@testable import Basalt
import BasaltTesting

extension SeededGenerator {
    /// True with probability `numerator / denominator`.
    mutating func chance(_ numerator: UInt64, in denominator: UInt64) -> Bool { next() % denominator < numerator }
}

// MARK: - Building batches

/// The timestamp the tests pass to the encoder for records without one.
private let appendTime: Int64 = 1_700_000_000_000

private func encode(
    _ records: [Record], _ compression: CompressionCodec = .none, baseOffset: Int64 = 0,
    producer: RecordBatchEncoder.ProducerFields = .none, partitionLeaderEpoch: Int32 = 0
) throws -> [UInt8] {
    try RecordBatchEncoder.encode(records, compression: compression, baseOffset: baseOffset, producer: producer,
                                  partitionLeaderEpoch: partitionLeaderEpoch, timestamp: appendTime)
}

private func bigEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

private func patch<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ value: T, at position: Int) {
    bytes.replaceSubrange(position..<(position + MemoryLayout<T>.size), with: bigEndianBytes(value))
}

/// Recomputes the CRC of a buffer that holds exactly one batch, after a patch.
private func reseal(_ batch: inout [UInt8]) {
    batch.withUnsafeMutableBytes { RecordBatchEncoder.sealCRC($0) }
}

/// Writes `value` as a zigzag varint the plain way, independently of ``Varint``.
private func referenceVarint(_ value: Int64) -> [UInt8] {
    var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
    var output: [UInt8] = []
    while rest >= 0x80 {
        output.append(UInt8(rest & 0x7F) | 0x80)
        rest >>= 7
    }
    output.append(UInt8(rest))
    return output
}

private func referenceBytesField(_ bytes: [UInt8]?) -> [UInt8] {
    guard let bytes else { return referenceVarint(-1) }
    return referenceVarint(Int64(bytes.count)) + bytes
}

/// The records section of kafka-compat §1.5, written field by field.
private func referenceSection(_ records: [Record]) -> [UInt8] {
    let baseTimestamp = records[0].timestamp ?? appendTime
    var section: [UInt8] = []
    for (index, record) in records.enumerated() {
        var body: [UInt8] = [0]
        body += referenceVarint((record.timestamp ?? appendTime) &- baseTimestamp)
        body += referenceVarint(Int64(index))
        body += referenceBytesField(record.key)
        body += referenceBytesField(record.value)
        body += referenceVarint(Int64(record.headers.count))
        for header in record.headers {
            body += referenceBytesField(Array(header.key.utf8))
            body += referenceBytesField(header.value)
        }
        section += referenceVarint(Int64(body.count)) + body
    }
    return section
}

/// A batch around an arbitrary records section, CRC sealed, so the record walker can
/// be handed damaged records behind a valid header.
private func makeBatch(
    section: [UInt8], recordsCount: Int32, lastOffsetDelta: Int32? = nil, compression: CompressionCodec = .none,
    baseOffset: Int64 = 0, baseTimestamp: Int64 = appendTime
) throws -> [UInt8] {
    let payload = try section.withUnsafeBytes { try compression.compress($0) }
    let header = RecordBatchHeader(
        baseOffset: baseOffset, batchLength: Int32(RecordBatchHeader.size - RecordBatchHeader.logOverhead + payload.count),
        attributes: compression.rawValue, lastOffsetDelta: lastOffsetDelta ?? (recordsCount - 1),
        baseTimestamp: baseTimestamp, maxTimestamp: baseTimestamp, recordsCount: recordsCount)
    var batch = [UInt8](repeating: 0, count: RecordBatchHeader.size)
    batch.withUnsafeMutableBytes { header.write(to: $0.baseAddress!) }
    batch += payload
    reseal(&batch)
    return batch
}

// MARK: - Random records

private func randomBytes(_ random: inout SeededGenerator, large: Int) -> [UInt8]? {
    switch random.next() % 40 {
    case 0..<6: return nil
    case 6..<10: return []
    case 10 where large > 0: return random.bytes(Int.random(in: 10_000...large, using: &random))
    case 11 where large > 0: return [UInt8](repeating: UInt8(truncatingIfNeeded: random.next()), count: Int.random(in: 1...large, using: &random))
    default: return random.bytes(Int.random(in: 1...200, using: &random))
    }
}

private let headerKeys = ["", "h", "trace-id", "content-type", "schéma", "🪨", String(repeating: "k", count: 300)]

/// A random record; `small` leaves out the large keys and values.
private func randomRecord(_ random: inout SeededGenerator, baseTimestamp: Int64, small: Bool) -> Record {
    var headers: [RecordHeader] = []
    for _ in 0..<Int.random(in: 0...5, using: &random) {
        let key = headerKeys[Int(random.next() % UInt64(headerKeys.count))]
        let value: [UInt8]? = random.chance(1, in: 3) ? nil : random.bytes(Int.random(in: 0...40, using: &random))
        headers.append(RecordHeader(key: key, value: value))
    }
    let timestamp: Int64?
    switch random.next() % 20 {
    case 0, 1: timestamp = nil
    case 2: timestamp = [Int64.min, Int64.max, 0, -1][Int(random.next() % 4)]
    case 3..<8: timestamp = baseTimestamp - Int64.random(in: 0...86_400_000, using: &random)  // negative delta
    default: timestamp = baseTimestamp + Int64.random(in: -1000...1_000_000, using: &random)
    }
    return Record(key: randomBytes(&random, large: small ? 0 : 20_000), value: randomBytes(&random, large: small ? 0 : 300_000),
                  headers: headers, timestamp: timestamp)
}

private func randomRecords(_ random: inout SeededGenerator, small: Bool = false) -> [Record] {
    let count = random.chance(1, in: 4) ? 1 : Int.random(in: 2...(small ? 5 : 30), using: &random)
    let baseTimestamp = Int64.random(in: 0...2_000_000_000_000, using: &random)
    return (0..<count).map { _ in randomRecord(&random, baseTimestamp: baseTimestamp, small: small) }
}

// MARK: - Checking results

/// Runs `body`, which must throw a ``BasaltError``; returns it.
@discardableResult
private func basaltError(
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> BasaltError? {
    do {
        try body()
        Issue.record("expected an error, got none. \(comment())", sourceLocation: sourceLocation)
    } catch let error as BasaltError {
        return error
    } catch {
        Issue.record("expected a BasaltError, got \(error). \(comment())", sourceLocation: sourceLocation)
    }
    return nil
}

/// Runs `body`, which must throw ``BasaltError/invalidBatch(reason:)``; returns the reason.
@discardableResult
private func invalidBatchReason(
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> String? {
    let error = basaltError(comment(), sourceLocation: sourceLocation, body)
    guard case .invalidBatch(let reason) = error else {
        if let error {
            Issue.record("expected invalidBatch, got \(error). \(comment())", sourceLocation: sourceLocation)
        }
        return nil
    }
    return reason
}

/// Byte equality through `memcmp`: element-wise `==` on large arrays is slow in debug builds.
private func sameBytes(_ left: ArraySlice<UInt8>?, _ right: [UInt8]?) -> Bool {
    guard let left, let right else { return left == nil && right == nil }
    guard left.count == right.count else { return false }
    return left.withUnsafeBytes { l in right.withUnsafeBytes { r in l.count == 0 || memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0 } }
}

private func expectRecords(
    _ decoded: [ConsumerRecord], equal records: [Record], baseOffset: Int64, from minimumOffset: Int64 = .min,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let expected = records.enumerated().filter { baseOffset + Int64($0.offset) >= minimumOffset }
    #expect(decoded.count == expected.count, sourceLocation: sourceLocation)
    for (consumer, (index, record)) in zip(decoded, expected) {
        #expect(consumer.offset == baseOffset + Int64(index), sourceLocation: sourceLocation)
        #expect(consumer.timestamp == record.timestamp ?? appendTime, sourceLocation: sourceLocation)
        #expect(sameBytes(consumer.key, record.key), "key of record \(index)", sourceLocation: sourceLocation)
        #expect(sameBytes(consumer.value, record.value), "value of record \(index)", sourceLocation: sourceLocation)
        #expect(consumer.headers == record.headers, "headers of record \(index)", sourceLocation: sourceLocation)
    }
}

/// Three records with keys, values and headers: about 100 bytes, small enough to damage
/// every bit of it.
private let smallRecords: [Record] = [
    Record(key: Array("k".utf8), value: Array("v".utf8), headers: [RecordHeader(key: "h", value: Array("1".utf8))],
           timestamp: appendTime),
    Record(key: nil, value: Array("second value".utf8), headers: [], timestamp: appendTime - 5),
    Record(key: Array("key-3".utf8), value: nil,
           headers: [RecordHeader(key: "a", value: nil), RecordHeader(key: "bb", value: [0, 1, 2])],
           timestamp: appendTime + 70_000),
]

/// Record counts and last offset deltas that disagree (the batch holds three records).
private let countAndDeltaMismatches: [(recordsCount: Int32, lastOffsetDelta: Int32)] = [
    (4, 2), (2, 2), (0, 2), (-1, 2), (0, -1), (3, -1), (1, 3), (Int32.max, 2), (Int32.min, Int32.max),
]

@Suite struct RecordBatchTests {
    // MARK: - Encoding

    /// kafka-compat §1.9, byte for byte.
    @Test func workedExampleEncodesByteForByte() throws {
        let record = Record(key: Array("k".utf8), value: Array("v".utf8),
                            headers: [RecordHeader(key: "h", value: Array("1".utf8))], timestamp: 1_700_000_000_000)
        let batch = try RecordBatchEncoder.encode([record], compression: .none, baseOffset: 0,
                                                  partitionLeaderEpoch: 0, timestamp: 1_700_000_000_000)
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // baseOffset 0
            0x00, 0x00, 0x00, 0x3E,  // batchLength 62
            0x00, 0x00, 0x00, 0x00,  // partitionLeaderEpoch 0
            0x02,  // magic
            0x67, 0x5A, 0x95, 0xFD,  // crc
            0x00, 0x00,  // attributes
            0x00, 0x00, 0x00, 0x00,  // lastOffsetDelta
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00,  // baseTimestamp
            0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00,  // maxTimestamp
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // producerId
            0xFF, 0xFF,  // producerEpoch
            0xFF, 0xFF, 0xFF, 0xFF,  // baseSequence
            0x00, 0x00, 0x00, 0x01,  // recordsCount
            0x18, 0x00, 0x00, 0x00, 0x02, 0x6B, 0x02, 0x76, 0x02, 0x02, 0x68, 0x02, 0x31,
        ]
        #expect(batch == expected)
        #expect(batch.count == 74)
        #expect(CRC32C.checksum(Array(batch[21...])) == 0x675A_95FD)

        // A record without a timestamp takes the encoder's: same bytes.
        let untimed = Record(key: record.key, value: record.value, headers: record.headers)
        #expect(try RecordBatchEncoder.encode([untimed], timestamp: 1_700_000_000_000) == expected)
    }

    @Test func workedExampleDecodes() throws {
        let bytes = try encode([Record(key: Array("k".utf8), value: Array("v".utf8),
                                       headers: [RecordHeader(key: "h", value: Array("1".utf8))])])
        let batch = try RecordBatch(storage: bytes)
        #expect(batch.header == RecordBatchHeader(
            baseOffset: 0, batchLength: 62, partitionLeaderEpoch: 0, magic: 2, crc: 0x675A_95FD, attributes: 0,
            lastOffsetDelta: 0, baseTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_000, producerId: -1,
            producerEpoch: -1, baseSequence: -1, recordsCount: 1))
        #expect(batch.header.totalSize == 74)
        #expect(batch.header.nextOffset == 1)
        #expect(batch.header.compression == CompressionCodec.none)
        #expect(Array(batch.bytes) == bytes)
        let records = try batch.records()
        #expect(records.count == 1)
        #expect(records[0].offset == 0)
        #expect(records[0].timestamp == 1_700_000_000_000)
        #expect(records[0].key.map { Array($0) } == Array("k".utf8))
        #expect(records[0].value.map { Array($0) } == Array("v".utf8))
        #expect(records[0].headers == [RecordHeader(key: "h", value: Array("1".utf8))])
    }

    /// Header fields land where kafka-compat §1.2 puts them, and the producer fields,
    /// epoch and base offset are written as given.
    @Test func headerFieldsAreWrittenAtTheirOffsets() throws {
        let producer = RecordBatchEncoder.ProducerFields(producerId: 0x0102_0304_0506_0708, producerEpoch: 0x1112,
                                                         baseSequence: 0x2122_2324)
        let bytes = try encode(smallRecords, baseOffset: 0x3132_3334_3536_3738, producer: producer,
                               partitionLeaderEpoch: 0x4142_4344)
        #expect(Array(bytes[0..<8]) == bigEndianBytes(Int64(0x3132_3334_3536_3738)))
        #expect(Array(bytes[8..<12]) == bigEndianBytes(Int32(bytes.count - 12)))
        #expect(Array(bytes[12..<16]) == [0x41, 0x42, 0x43, 0x44])
        #expect(bytes[16] == 2)
        #expect(Array(bytes[17..<21]) == bigEndianBytes(CRC32C.checksum(Array(bytes[21...]))))
        #expect(Array(bytes[21..<23]) == [0, 0])
        #expect(Array(bytes[23..<27]) == bigEndianBytes(Int32(2)))
        #expect(Array(bytes[27..<35]) == bigEndianBytes(appendTime))
        #expect(Array(bytes[35..<43]) == bigEndianBytes(appendTime + 70_000))
        #expect(Array(bytes[43..<51]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(bytes[51..<53]) == [0x11, 0x12])
        #expect(Array(bytes[53..<57]) == [0x21, 0x22, 0x23, 0x24])
        #expect(Array(bytes[57..<61]) == bigEndianBytes(Int32(3)))
        #expect(Array(bytes[61...]) == referenceSection(smallRecords))

        let header = try RecordBatch(storage: bytes).header
        #expect(header.producerId == 0x0102_0304_0506_0708)
        #expect(header.producerEpoch == 0x1112)
        #expect(header.baseSequence == 0x2122_2324)
        #expect(header.partitionLeaderEpoch == 0x4142_4344)
        #expect(header.lastOffset == 0x3132_3334_3536_3738 + 2)
    }

    @Test func lz4BatchHoldsOneKafkaFrame() throws {
        let bytes = try encode(smallRecords, .lz4)
        #expect(Array(bytes[21..<23]) == [0, 3])
        #expect(Array(bytes[61..<68]) == [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x82])
        let section = try bytes[61...].withUnsafeBytes { try LZ4Frame.decompress($0, limit: 1 << 20) }
        #expect(section == referenceSection(smallRecords))
        let batch = try RecordBatch(storage: bytes)
        #expect(batch.header.compression == .lz4)
        expectRecords(try batch.records(), equal: smallRecords, baseOffset: 0)
    }

    /// Each codec's section starts the way Kafka's Java client starts it: a gzip member
    /// header, the xerial snappy header, a zstd frame magic.
    @Test func compressedBatchesHoldTheJavaClientsStreams() throws {
        let starts: [(CompressionCodec, [UInt8])] = [
            (.gzip, [0x1F, 0x8B, 0x08]),
            (.snappy, [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]),
            (.zstd, [0x28, 0xB5, 0x2F, 0xFD]),
        ]
        for (codec, start) in starts {
            let bytes = try encode(smallRecords, codec)
            #expect(Array(bytes[21..<23]) == [0, UInt8(codec.rawValue)])
            #expect(Array(bytes[61..<(61 + start.count)]) == start, "\(codec)")
            let section = try bytes[61...].withUnsafeBytes { try codec.decompress($0, limit: 1 << 20) }
            #expect(section == referenceSection(smallRecords), "\(codec)")
            let batch = try RecordBatch(storage: bytes)
            #expect(batch.header.compression == codec)
            expectRecords(try batch.records(), equal: smallRecords, baseOffset: 0)
        }
    }

    @Test func encoderRejectsEmptyBatches() {
        invalidBatchReason { _ = try encode([]) }
        for codec in CompressionCodec.allCases {
            invalidBatchReason { _ = try encode([], codec) }
            #expect(codec.isSupported)
        }
        #expect(CompressionCodec.gzip.description == "gzip")
        #expect(CompressionCodec.snappy.description == "snappy")
        #expect(CompressionCodec.zstd.description == "zstd")
    }

    // MARK: - Round trips

    /// Random records through every codec: the encoding equals the field-by-field
    /// reference, the header carries the right counts and timestamps, and decoding
    /// gives back every record with offset baseOffset + i.
    @Test(arguments: CompressionCodec.allCases)
    func randomRecordsRoundTrip(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0xBA7C_0000 + UInt64(codec.rawValue))
        for iteration in 0..<150 {
            let records = randomRecords(&random)
            let baseOffset = random.chance(1, in: 5) ? 0 : Int64.random(in: 0...(Int64(1) << 50), using: &random)
            let producer = random.chance(1, in: 2) ? RecordBatchEncoder.ProducerFields.none
                : .init(producerId: Int64.random(in: 0...Int64.max, using: &random),
                        producerEpoch: Int16.random(in: 0...Int16.max, using: &random),
                        baseSequence: Int32.random(in: 0...Int32.max, using: &random))
            let epoch = Int32.random(in: -1...1000, using: &random)
            let bytes = try encode(records, codec, baseOffset: baseOffset, producer: producer, partitionLeaderEpoch: epoch)
            let section = referenceSection(records)

            let batch = try RecordBatch(storage: bytes)
            let header = batch.header
            let timestamps = records.map { $0.timestamp ?? appendTime }
            #expect(header.baseOffset == baseOffset)
            #expect(header.totalSize == bytes.count)
            #expect(header.partitionLeaderEpoch == epoch)
            #expect(header.magic == 2)
            #expect(header.attributes == codec.rawValue)
            #expect(header.lastOffsetDelta == Int32(records.count - 1))
            #expect(header.recordsCount == Int32(records.count))
            #expect(header.baseTimestamp == timestamps[0])
            #expect(header.maxTimestamp == timestamps.max())
            #expect(header.producerId == producer.producerId)
            #expect(header.producerEpoch == producer.producerEpoch)
            #expect(header.baseSequence == producer.baseSequence)
            #expect(header.crc == CRC32C.checksum(Array(bytes[21...])))
            if codec == .none {
                #expect(sameBytes(bytes[61...], section), "iteration \(iteration)")
            } else {
                let plain = try bytes[61...].withUnsafeBytes { try codec.decompress($0, limit: section.count) }
                #expect(sameBytes(plain[...], section), "iteration \(iteration)")
            }

            try batch.validateRecords()
            expectRecords(try batch.records(), equal: records, baseOffset: baseOffset)
            var appended = [try batch.records()[0]]
            try batch.appendRecords(to: &appended)
            #expect(appended.count == records.count + 1)

            // A read that starts inside the batch skips the records below its offset.
            let lastOffset = baseOffset + Int64(records.count - 1)
            let middle = Int64.random(in: baseOffset...lastOffset, using: &random)
            expectRecords(try batch.records(from: middle), equal: records, baseOffset: baseOffset, from: middle)
            for minimum in [Int64.min, baseOffset - 1, baseOffset, baseOffset + 1, lastOffset, lastOffset + 1, .max] {
                let expected = (baseOffset...lastOffset).filter { $0 >= minimum }
                #expect(try batch.records(from: minimum).map(\.offset) == expected, "from \(minimum)")
            }
        }
    }

    /// A log segment is batches back to back: each parses at its position.
    @Test func concatenatedBatchesParseAtTheirPositions() throws {
        var random = SeededGenerator(seed: 0xC0CA)
        var storage: [UInt8] = []
        var expected: [(position: Int, records: [Record], baseOffset: Int64)] = []
        var nextOffset: Int64 = 100
        for index in 0..<12 {
            let records = randomRecords(&random)
            expected.append((storage.count, records, nextOffset))
            let codec = CompressionCodec.allCases[index % CompressionCodec.allCases.count]
            storage += try encode(records, codec, baseOffset: nextOffset)
            nextOffset += Int64(records.count)
        }
        var position = 0
        for entry in expected {
            #expect(position == entry.position)
            let batch = try RecordBatch(storage: storage, at: position)
            #expect(batch.start == position)
            #expect(batch.header.baseOffset == entry.baseOffset)
            expectRecords(try batch.records(), equal: entry.records, baseOffset: entry.baseOffset)
            position += batch.header.totalSize
        }
        #expect(position == storage.count)
        invalidBatchReason { _ = try RecordBatch(storage: storage, at: storage.count) }
    }

    @Test(arguments: CompressionCodec.allCases)
    func largeValuesRoundTrip(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0x1A46E)
        let records = [
            Record(key: random.bytes(70_000), value: random.bytes(1 << 20)),
            Record(key: nil, value: [UInt8](repeating: 7, count: 3 << 20)),
            Record(key: [], value: []),
        ]
        let bytes = try encode(records, codec, baseOffset: 5)
        let batch = try RecordBatch(storage: bytes)
        expectRecords(try batch.records(), equal: records, baseOffset: 5)
    }

    @Test func logAppendTimeReportsTheMaxTimestampForEveryRecord() throws {
        for codec in CompressionCodec.allCases {
            var bytes = try encode(smallRecords, codec)
            patch(&bytes, Int16(codec.rawValue) | 0x08, at: 21)
            patch(&bytes, Int64(1_800_000_000_000), at: 35)
            reseal(&bytes)
            let batch = try RecordBatch(storage: bytes)
            #expect(batch.header.isLogAppendTime)
            #expect(try batch.records().map(\.timestamp) == [1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_000])
        }
    }

    @Test func attributeBitsAreReported() throws {
        var bytes = try encode(smallRecords)
        #expect(try RecordBatch(storage: bytes).header.isTransactional == false)
        patch(&bytes, Int16(0x30), at: 21)
        reseal(&bytes)
        let header = try RecordBatch(storage: bytes).header
        #expect(header.isTransactional)
        #expect(header.isControl)
        #expect(!header.isLogAppendTime)
        #expect(header.compression == CompressionCodec.none)
    }

    // MARK: - Corruption the CRC catches

    /// Every single-bit flip in the CRC field or the bytes it covers is a CRC mismatch,
    /// with the stored and computed values of the damaged batch.
    @Test(arguments: CompressionCodec.allCases)
    func everyBitFlipInTheCoveredRegionIsACRCMismatch(codec: CompressionCodec) throws {
        let bytes = try encode(smallRecords, codec)
        let crc = CRC32C.checksum(Array(bytes[21...]))
        for bit in (17 * 8)..<(bytes.count * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << (bit % 8)
            let stored = damaged[17..<21].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect((stored == crc) == (bit >= 21 * 8))
            let expected = BasaltError.crcMismatch(stored: stored, computed: CRC32C.checksum(Array(damaged[21...])))
            #expect(bit >= 21 * 8 || expected == .crcMismatch(stored: stored, computed: crc))
            #expect(throws: expected, "bit \(bit)") { _ = try RecordBatch(storage: damaged) }
        }
    }

    /// Base offset and leader epoch are outside the CRC: the log rewrites them in place.
    @Test func baseOffsetAndEpochAreOutsideTheCRC() throws {
        var bytes = try encode(smallRecords)
        patch(&bytes, Int64(1_000_000), at: 0)
        patch(&bytes, Int32(77), at: 12)
        let batch = try RecordBatch(storage: bytes)
        #expect(batch.header.partitionLeaderEpoch == 77)
        expectRecords(try batch.records(), equal: smallRecords, baseOffset: 1_000_000)
    }

    /// Flips in batch length and magic are caught by the header checks or the CRC.
    @Test func bitFlipsInLengthAndMagicAreErrors() throws {
        let bytes = try encode(smallRecords)
        for bit in (8 * 8)..<(17 * 8) where !(12 * 8..<16 * 8).contains(bit) {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << (bit % 8)
            switch basaltError("bit \(bit)", { _ = try RecordBatch(storage: damaged) }) {
            case .invalidBatch?, .crcMismatch?, .messageTooLarge?: break
            case let other: Issue.record("bit \(bit): \(String(describing: other))")
            }
        }
    }

    // MARK: - Truncation

    /// A batch cut at any length is an invalid batch: shorter than the header, or
    /// shorter than its length field says.
    @Test(arguments: CompressionCodec.allCases)
    func truncationAtEveryLengthIsAnInvalidBatch(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0x7E0 + UInt64(codec.rawValue))
        var batches = [try encode(smallRecords, codec)]
        for _ in 0..<3 {
            batches.append(try encode(randomRecords(&random, small: true), codec))
        }
        for bytes in batches {
            for length in 0..<bytes.count {
                let prefix = Array(bytes[..<length])
                let reason = invalidBatchReason("\(length) of \(bytes.count) bytes") { _ = try RecordBatch(storage: prefix) }
                #expect(reason?.contains(length < 61 ? "shorter than the 61-byte batch header" : "runs past") == true,
                        "\(length): \(reason ?? "")")
            }
        }
    }

    /// A batch truncated and then given a matching length and CRC (what a buggy writer
    /// could produce) passes the header checks and fails when its records are read:
    /// an invalid batch uncompressed, corrupt compressed data otherwise. A xerial snappy
    /// stream has no end mark, so one cut right after its header (or a block) decodes to
    /// too few records, an invalid batch.
    @Test(arguments: CompressionCodec.allCases)
    func truncatedRecordsBehindAValidCRCAreErrors(codec: CompressionCodec) throws {
        var random = SeededGenerator(seed: 0x7E1 + UInt64(codec.rawValue))
        for bytes in [try encode(smallRecords, codec), try encode(randomRecords(&random, small: true), codec)] {
            for length in RecordBatchHeader.size..<bytes.count {
                var cut = Array(bytes[..<length])
                patch(&cut, Int32(length - 12), at: 8)
                reseal(&cut)
                let batch = try RecordBatch(storage: cut)
                let reads: [() throws -> Void] = [{ _ = try batch.records() }, { try batch.validateRecords() }]
                for read in reads {
                    let error = basaltError("\(length) of \(bytes.count)", read)
                    switch (codec, error) {
                    case (.none, .invalidBatch?), (.snappy, .invalidBatch?): break
                    case (.gzip, .corruptCompressedData?), (.snappy, .corruptCompressedData?),
                         (.lz4, .corruptCompressedData?), (.zstd, .corruptCompressedData?): break
                    default: Issue.record("\(length) of \(bytes.count): \(String(describing: error))")
                    }
                }
            }
        }
    }

    // MARK: - Header checks

    @Test func invalidCodecNumbersAreNamedWhenRecordsAreRead() throws {
        let bytes = try encode(smallRecords)
        let names: [Int16: String] = [5: "invalid codec number 5", 6: "invalid codec number 6", 7: "invalid codec number 7"]
        for (codec, name) in names.sorted(by: { $0.key < $1.key }) {
            var patched = bytes
            patch(&patched, codec, at: 21)
            reseal(&patched)
            // The header is fine: a store carries such batches through untouched.
            let batch = try RecordBatch(storage: patched)
            #expect(batch.header.codecNumber == codec)
            #expect(batch.header.compression == CompressionCodec(rawValue: codec))
            let expected = BasaltError.unsupportedCompression(codec: name)
            #expect(throws: expected) { _ = try batch.records() }
            #expect(throws: expected) { try batch.validateRecords() }
            var output: [ConsumerRecord] = []
            #expect(throws: expected) { try batch.appendRecords(to: &output) }
        }
    }

    /// An uncompressed section behind a header naming a codec is no valid stream of it.
    @Test func aCodecTheSectionIsNotInIsCorruptCompressedData() throws {
        let bytes = try encode(smallRecords)
        for codec in CompressionCodec.allCases where codec != .none {
            var patched = bytes
            patch(&patched, codec.rawValue, at: 21)
            reseal(&patched)
            let batch = try RecordBatch(storage: patched)
            #expect(batch.header.compression == codec)
            let reads: [() throws -> Void] = [{ _ = try batch.records() }, { try batch.validateRecords() }]
            for read in reads {
                let error = basaltError("\(codec)", read)
                if case .corruptCompressedData? = error {} else {
                    Issue.record("\(codec): expected corruptCompressedData, got \(String(describing: error))")
                }
            }
        }
    }

    @Test(arguments: [Int8(0), 1, 3, -1, 127])
    func invalidMagicIsAnInvalidBatch(magic: Int8) throws {
        var bytes = try encode(smallRecords)
        bytes[16] = UInt8(bitPattern: magic)
        let reason = invalidBatchReason { _ = try RecordBatch(storage: bytes) }
        #expect(reason == "magic \(magic), expected 2")
    }

    @Test(arguments: [Int32(48), 47, 1, 0, -1, Int32.min])
    func batchLengthBelow49IsAnInvalidBatch(batchLength: Int32) throws {
        var bytes = try encode(smallRecords)
        patch(&bytes, batchLength, at: 8)
        let reason = invalidBatchReason { _ = try RecordBatch(storage: bytes) }
        #expect(reason == "batch length \(batchLength) is below the minimum of 49")
    }

    /// The smallest batch the header allows (batch length 49, no record bytes) passes
    /// the header checks; its missing record is found when records are read.
    @Test func headerOnlyBatchFailsOnItsRecords() throws {
        let bytes = try makeBatch(section: [], recordsCount: 1)
        #expect(bytes.count == 61)
        let batch = try RecordBatch(storage: bytes)
        #expect(batch.header.batchLength == 49)
        #expect(invalidBatchReason { _ = try batch.records() } == "record 0: length runs past the records section")
    }

    @Test(arguments: countAndDeltaMismatches)
    func recordsCountMustMatchLastOffsetDelta(recordsCount: Int32, lastOffsetDelta: Int32) throws {
        var bytes = try encode(smallRecords)
        patch(&bytes, lastOffsetDelta, at: 23)
        patch(&bytes, recordsCount, at: 57)
        reseal(&bytes)
        let reason = invalidBatchReason("count \(recordsCount), delta \(lastOffsetDelta)") {
            _ = try RecordBatch(storage: bytes)
        }
        #expect(reason?.contains("record count \(recordsCount)") == true || reason?.contains("negative") == true,
                "\(reason ?? "")")
    }

    @Test func batchesAboveMaxBatchBytesAreTooLarge() throws {
        let bytes = try encode(smallRecords)
        let header = try RecordBatch(storage: bytes).header
        try header.validate(available: bytes.count, maxBatchBytes: bytes.count)
        #expect(throws: BasaltError.messageTooLarge(bytes: bytes.count, limit: bytes.count - 1)) {
            try header.validate(available: bytes.count, maxBatchBytes: bytes.count - 1)
        }
        #expect(throws: BasaltError.messageTooLarge(bytes: bytes.count, limit: 61)) {
            _ = try RecordBatch(storage: bytes, maxBatchBytes: 61)
        }
        _ = try RecordBatch(storage: bytes, maxBatchBytes: bytes.count)
        invalidBatchReason { try header.validate(available: bytes.count - 1) }
        invalidBatchReason { _ = try RecordBatchHeader(parsing: UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    // MARK: - Damaged records behind a valid CRC

    /// Patches one byte of a record and re-seals the CRC: the header checks pass, the
    /// record walk must report an invalid batch.
    private func damagedRecordIsInvalid(
        at position: Int, to value: UInt8, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String? {
        var bytes = try encode(smallRecords)
        bytes[position] = value
        reseal(&bytes)
        let batch = try RecordBatch(storage: bytes)
        #expect(throws: BasaltError.self, sourceLocation: sourceLocation) { try batch.validateRecords() }
        return invalidBatchReason(sourceLocation: sourceLocation) { _ = try batch.records() }
    }

    @Test func damagedRecordLengthIsAnInvalidBatch() throws {
        let section = referenceSection(smallRecords)
        #expect(section[0] == 0x18)  // first record: 12 bytes
        #expect(try damagedRecordIsInvalid(at: 61, to: 0x1A) == "record 0: 1 unexplained bytes")
        #expect(try damagedRecordIsInvalid(at: 61, to: 0x16) == "record 0: bad header value length")
        #expect(try damagedRecordIsInvalid(at: 61, to: 0x00) == "record 0: length runs past the records section")
        #expect(try damagedRecordIsInvalid(at: 61, to: 0x01) == "record 0: length runs past the records section")
        #expect(try damagedRecordIsInvalid(at: 61, to: 0x7E) == "record 0: length runs past the records section")
        // 98 00 is a two-byte varint of 12: the record then starts one byte late.
        #expect(try damagedRecordIsInvalid(at: 61, to: 0x98) == "record 0: offset delta is not 0")
    }

    @Test func damagedOffsetDeltaIsAnInvalidBatch() throws {
        // Record 1 starts after record 0's 13 bytes: length, attributes, timestamp delta (1 byte), offset delta.
        let secondOffsetDelta = 61 + 13 + 3
        #expect(referenceSection(smallRecords)[13 + 3] == 0x02)
        #expect(try damagedRecordIsInvalid(at: secondOffsetDelta, to: 0x00) == "record 1: offset delta is not 1")
        #expect(try damagedRecordIsInvalid(at: secondOffsetDelta, to: 0x04) == "record 1: offset delta is not 1")
        #expect(try damagedRecordIsInvalid(at: 61 + 3, to: 0x01) == "record 0: offset delta is not 0")
    }

    @Test func damagedFieldLengthsAreInvalidBatches() throws {
        #expect(try damagedRecordIsInvalid(at: 61 + 4, to: 0x03) == "record 0: bad key length")  // key length -2
        #expect(try damagedRecordIsInvalid(at: 61 + 4, to: 0x40) == "record 0: bad key length")  // key length 32
        #expect(try damagedRecordIsInvalid(at: 61 + 6, to: 0x40) == "record 0: bad value length")
        #expect(try damagedRecordIsInvalid(at: 61 + 8, to: 0x7E) == "record 0: bad header count")
        #expect(try damagedRecordIsInvalid(at: 61 + 8, to: 0x01) == "record 0: bad header count")  // -1
        #expect(try damagedRecordIsInvalid(at: 61 + 9, to: 0x01) == "record 0: bad header key length")
        #expect(try damagedRecordIsInvalid(at: 61 + 11, to: 0x06) == "record 0: bad header value length")
        // 80 00 is a padded timestamp delta of 0 that swallows the offset delta byte.
        #expect(try damagedRecordIsInvalid(at: 61 + 2, to: 0x80) == "record 0: offset delta is not 0")
    }

    @Test func bytesAfterTheLastRecordAreAnInvalidBatch() throws {
        let bytes = try makeBatch(section: referenceSection(smallRecords) + [0], recordsCount: 3)
        let batch = try RecordBatch(storage: bytes)
        #expect(invalidBatchReason { _ = try batch.records() } == "1 bytes after the last of 3 records")
        let lz4 = try RecordBatch(storage: try makeBatch(section: referenceSection(smallRecords) + [0, 0],
                                                         recordsCount: 3, compression: .lz4))
        #expect(invalidBatchReason { try lz4.validateRecords() } == "2 bytes after the last of 3 records")
    }

    /// A hostile batch claims two billion records in a few bytes: it must fail on the
    /// second record, not reserve room for all of them first.
    @Test(arguments: CompressionCodec.allCases)
    func hugeRecordCountWithFewRecordsIsAnInvalidBatch(codec: CompressionCodec) throws {
        let section = referenceSection(Array(smallRecords.prefix(1)))
        let bytes = try makeBatch(section: section, recordsCount: Int32.max, compression: codec)
        let batch = try RecordBatch(storage: bytes)
        #expect(batch.header.recordsCount == Int32.max)
        #expect(invalidBatchReason { _ = try batch.records() } == "record 1: length runs past the records section")
        #expect(invalidBatchReason { try batch.validateRecords() } == "record 1: length runs past the records section")
    }

    @Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func decompressedLimitAppliesToCompressedBatches(codec: CompressionCodec) throws {
        let records = [Record(value: [UInt8](repeating: 1, count: 100_000))]
        let batch = try RecordBatch(storage: try encode(records, codec))
        let sectionSize = referenceSection(records).count
        #expect(sectionSize == 100_011)
        #expect(try batch.records(decompressedLimit: sectionSize).count == 1)
        try batch.validateRecords(decompressedLimit: sectionSize)
        let error = basaltError { _ = try batch.records(decompressedLimit: sectionSize - 1) }
        guard case .corruptCompressedData(let reason)? = error else {
            Issue.record("expected corruptCompressedData, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("limit of 100010 bytes"))
        #expect(throws: BasaltError.self) { try batch.validateRecords(decompressedLimit: 50_000) }
    }

    /// Every byte of the records section set to values that stress varints and lengths,
    /// each behind a valid CRC: decoding either succeeds with in-bounds records or
    /// throws invalidBatch, for every codec. A crash here is a bug.
    @Test(arguments: CompressionCodec.allCases)
    func everyByteOfTheRecordsSectionDamagedIsDecodedOrInvalid(codec: CompressionCodec) throws {
        let section = referenceSection(smallRecords)
        for position in 0..<section.count {
            let original = section[position]
            let values: Set<UInt8> = [0x00, 0x01, 0x02, 0x7E, 0x7F, 0x80, 0x81, 0xFE, 0xFF, original ^ 0x01, original ^ 0x80,
                                      original &+ 2, original &- 2]
            for value in values.sorted() where value != original {
                var damaged = section
                damaged[position] = value
                let batch = try RecordBatch(storage: try makeBatch(section: damaged, recordsCount: 3, compression: codec))
                do {
                    let records = try batch.records()
                    #expect(records.count == 3)
                    for record in records {
                        #expect((record.key?.count ?? 0) + (record.value?.count ?? 0) < section.count)
                    }
                } catch BasaltError.invalidBatch {
                } catch {
                    Issue.record("byte \(position) = \(value): \(error)")
                }
            }
        }
    }
}
