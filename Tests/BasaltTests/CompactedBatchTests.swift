import BasaltTesting
import Testing
@testable import Basalt

/// `CompactedBatch.filter`, the cleaner's batch rewrite, on seeded random batches: what it
/// writes is a valid stored batch holding exactly the kept records at their offsets, with
/// their timestamps and the batch's producer fields; and on damaged records (CRC resealed,
/// so only the record walk can tell) it throws instead of trapping or writing garbage.
@Suite struct CompactedBatchTests {
    static let codecs: [CompressionCodec] = [.none, .gzip, .snappy, .lz4, .zstd]

    static func randomBatch(_ random: inout SeededGenerator) throws -> [UInt8] {
        let count = Int.random(in: 1...12, using: &random)
        let records = (0..<count).map { index in
            Record(key: Int.random(in: 0..<6, using: &random) == 0 ? nil : Array("k\(Int.random(in: 0..<4, using: &random))".utf8),
                   value: Int.random(in: 0..<4, using: &random) == 0 ? nil : random.bytes(Int.random(in: 0...60, using: &random)),
                   headers: index % 3 == 0 ? [RecordHeader(key: "h", value: [1, 2])] : [],
                   timestamp: 1_700_000_000_000 + Int64.random(in: -5_000...5_000, using: &random))
        }
        return try RecordBatchEncoder.encode(
            records, compression: codecs.randomElement(using: &random)!, baseOffset: Int64.random(in: 0...1_000_000, using: &random),
            producer: .init(producerId: 42, producerEpoch: 3, baseSequence: 17), timestamp: 1_700_000_000_000)
    }

    @Test(arguments: 0..<400)
    func rewritesKeepExactlyTheChosenRecords(seed: UInt64) throws {
        var random = SeededGenerator(seed: 0xBA7C4 &+ seed)
        let bytes = try Self.randomBatch(&random)
        let batch = try RecordBatch(storage: bytes)
        let original = try batch.records()
        let now: Int64 = 1_700_000_100_000
        var keep: [Int64: Bool] = [:]
        for record in original { keep[record.offset] = Bool.random(using: &random) }
        let retainEmpty = Bool.random(using: &random)
        let outcome = try CompactedBatch.filter(batch, nowMs: now, deleteRetentionMs: 1_000, retainEmpty: retainEmpty) { candidate, _ in
            keep[candidate.offset]!
        }
        let expected = original.filter { keep[$0.offset]! }
        switch outcome {
        case .unchanged:
            #expect(expected.count == original.count && !expected.contains { $0.value == nil })
        case .dropped:
            #expect(expected.isEmpty && !retainEmpty)
        case .rewritten(let rewritten):
            let parsed = try RecordBatch(storage: rewritten, allowingCompaction: true)
            #expect(parsed.header.baseOffset == batch.header.baseOffset)
            #expect(parsed.header.lastOffsetDelta == batch.header.lastOffsetDelta)
            #expect(parsed.header.producerId == 42 && parsed.header.producerEpoch == 3 && parsed.header.baseSequence == 17)
            #expect(parsed.header.recordsCount == Int32(expected.count))
            #expect(expected.isEmpty ? parsed.header.compression == CompressionCodec.none : parsed.header.compression == batch.header.compression)
            let records = try parsed.records()
            #expect(records.map(\.offset) == expected.map(\.offset))
            #expect(records.map(\.timestamp) == expected.map(\.timestamp))
            #expect(records.map { $0.key.map(Array.init) } == expected.map { $0.key.map(Array.init) })
            #expect(records.map { $0.value.map(Array.init) } == expected.map { $0.value.map(Array.init) })
            #expect(records.map(\.headers) == expected.map(\.headers))
            let hasHorizon = parsed.header.attributes & CompactedBatch.deleteHorizonFlag != 0
            #expect(hasHorizon == expected.contains { $0.value == nil }, "a kept tombstone gets a delete horizon")
            if hasHorizon { #expect(parsed.header.baseTimestamp == now + 1_000) }
        }
    }

    @Test(arguments: 0..<300)
    func damagedRecordsThrow(seed: UInt64) throws {
        var random = SeededGenerator(seed: 0xDA3A6E &+ seed)
        var bytes = try Self.randomBatch(&random)
        let batch = try RecordBatch(storage: bytes)
        guard batch.header.compression == CompressionCodec.none, bytes.count > RecordBatchHeader.size else { return }
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            bytes[Int.random(in: RecordBatchHeader.size..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        }
        bytes.withUnsafeMutableBytes { RecordBatchEncoder.sealCRC($0) }
        let damaged = try RecordBatch(storage: bytes, allowingCompaction: true)
        let decodes = (try? damaged.records()) != nil
        do {
            let outcome = try CompactedBatch.filter(damaged, nowMs: 0, deleteRetentionMs: 0, retainEmpty: true) { _, _ in
                Bool.random(using: &random)
            }
            #expect(decodes, "filter accepted records the reader rejects")
            if case .rewritten(let rewritten) = outcome {
                _ = try RecordBatch(storage: rewritten, allowingCompaction: true).records()
            }
        } catch is BasaltError {
            #expect(!decodes, "filter rejected records the reader accepts")
        }
    }
}
