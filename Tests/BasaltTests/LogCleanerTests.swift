import Foundation
import Synchronization
import Testing
import BasaltTesting
@testable import Basalt

/// The log cleaner (`LogCleaner`): compaction keeps the latest record of each key at its
/// original offset, tombstones go after `deleteRetentionMs`, producers' last batches
/// survive, and readers see a consistent log throughout.
@Suite struct LogCleanerTests {
    /// A clock the test moves by hand: no sleeps.
    final class ManualClock: Sendable {
        let now = Atomic<Int64>(1_700_000_000_000)
        var read: @Sendable () -> Int64 { { self.now.load(ordering: .acquiring) } }
        func advance(_ milliseconds: Int64) { now.add(milliseconds, ordering: .acquiringAndReleasing) }
    }

    static func config(segmentBytes: Int = 1024) -> LogConfig {
        var config = LogConfig()
        config.segmentBytes = segmentBytes
        config.durability = .os
        config.cleanupPolicy = .compact
        config.minCleanableDirtyRatio = 0
        config.deleteRetentionMs = 10_000
        config.indexIntervalBytes = 128
        return config
    }

    /// One record as replayed: its offset, key and value.
    struct Replayed: Equatable, CustomStringConvertible {
        var offset: Int64
        var key: [UInt8]?
        var value: [UInt8]?
        var description: String {
            "\(offset):\(key.map { String(decoding: $0, as: UTF8.self) } ?? "nil")=\(value.map { String(decoding: $0, as: UTF8.self) } ?? "∅")"
        }
    }

    /// Every record of `log` from its start, in offset order, read batch by batch (empty
    /// batches the cleaner kept move the position on like any other).
    static func replay(_ log: PartitionLog) throws -> [Replayed] {
        var records: [Replayed] = []
        var offset = log.logStartOffset
        while offset < log.logEndOffset {
            let batches = try log.readBatches(from: offset, maxBytes: 1 << 16)
            guard let last = batches.last else { break }
            for batch in batches {
                for record in try batch.records(from: offset) {
                    records.append(Replayed(offset: record.offset, key: record.key.map(Array.init), value: record.value.map(Array.init)))
                }
            }
            offset = last.header.nextOffset
        }
        return records
    }

    /// Key → latest record (tombstones included) of a replay.
    static func latest(_ records: [Replayed]) -> [[UInt8]: Replayed] {
        var map: [[UInt8]: Replayed] = [:]
        for record in records {
            guard let key = record.key else { continue }
            map[key] = record
        }
        return map
    }

    static func key(_ number: Int) -> [UInt8] { Array("k\(number)".utf8) }

    @Test func keepsTheLatestRecordOfEachKeyAtItsOffset() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        var written: [Replayed] = []
        for round in 0..<60 {
            let record = Record(key: Self.key(round % 5), value: Array("v\(round)".utf8))
            let result = try await log.append([record])
            written.append(Replayed(offset: result.baseOffset, key: record.key, value: record.value))
        }
        try log.roll()
        let before = log.sizeInBytes
        let stats = try #require(try LogCleaner().clean(log))
        #expect(stats.recordsRead == 60)
        #expect(stats.recordsRemoved == 55)
        #expect(log.sizeInBytes < before / 2)
        let after = try Self.replay(log)
        #expect(after == written.suffix(5))
        #expect(log.logEndOffset == 60)
        // A read from an offset in a gap returns the next batch that remains: the
        // (empty) batch that ends the first segment, then the records from 55 on.
        let batches = try log.readBatches(from: 3, maxBytes: 1)
        #expect(try #require(batches.first).header.lastOffset >= 3)
        #expect(try log.readRecords(from: 3).first?.offset == 55)

        // The same after reopening: recovery accepts the gaps.
        try log.close()
        let reopened = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        #expect(try Self.replay(reopened) == written.suffix(5))
        try reopened.close()
        // And after an unclean open that scans every segment.
        try FileManager.default.removeItem(atPath: directory.child("t-0") + "/" + PartitionCheckpoint.fileName)
        let recovered = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        #expect(try Self.replay(recovered) == written.suffix(5))
        #expect(recovered.openReport.truncatedBytes == 0)
        try recovered.close()
    }

    @Test func refusesRecordsWithoutKeys() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        await #expect(throws: BasaltError.invalidBatch(reason: "Compacted topic cannot accept message without key")) {
            try await log.append([Record(key: nil, value: [1])])
        }
        let batch = try RecordBatchEncoder.encode([Record(key: [1], value: [1]), Record(key: nil, value: [2])], timestamp: 0)
        await #expect(throws: BasaltError.invalidBatch(reason: "Compacted topic cannot accept message without key")) {
            try await log.append(encodedBatch: batch)
        }
        #expect(log.logEndOffset == 0)
        try log.close()
    }

    @Test func tombstonesStayForDeleteRetentionAfterTheirFirstClean() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.config(), clock: clock.read)
        try await log.append([Record(key: Self.key(1), value: [1])])
        try await log.append([Record(key: Self.key(2), value: [2])])
        try await log.append([Record(key: Self.key(1), value: nil)])
        try log.roll()
        let cleaner = LogCleaner()
        try cleaner.clean(log)
        #expect(try Self.replay(log) == [Replayed(offset: 1, key: Self.key(2), value: [2]),
                                         Replayed(offset: 2, key: Self.key(1), value: nil)])
        // Records keep their timestamps though their batch now holds the delete horizon.
        let tombstone = try #require(try log.readRecords(from: 2).first)
        #expect(tombstone.timestamp == clock.read())
        clock.advance(10_000)
        try cleaner.clean(log, force: true)
        #expect(try Self.replay(log).count == 2, "the horizon has not passed yet")
        clock.advance(1)
        try cleaner.clean(log, force: true)
        #expect(try Self.replay(log) == [Replayed(offset: 1, key: Self.key(2), value: [2])])
        #expect(log.logEndOffset == 3)
        try log.close()
    }

    @Test func aSmallKeyMapCleansOverSeveralRounds() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.config(segmentBytes: 4096))
        var written: [Replayed] = []
        for round in 0..<400 {
            let record = Record(key: Self.key(round % 100), value: Array("v\(round)".utf8))
            let result = try await log.append([record])
            written.append(Replayed(offset: result.baseOffset, key: record.key, value: record.value))
        }
        try log.roll()
        // 64 slots, 57 usable: fewer than the 100 keys.
        let cleaner = LogCleaner(keyMapBytes: OffsetMap.minimumBytes)
        var rounds = 0
        while let stats = try cleaner.clean(log) {
            rounds += 1
            #expect(stats.endOffset <= 400)
            #expect(rounds < 20)
        }
        #expect(rounds > 1)
        let expected = Self.latest(written)
        let after = try Self.replay(log)
        #expect(Self.latest(after) == expected)
        #expect(after.count == 100)
        try log.close()
    }

    @Test func producersLastBatchesSurviveSoDuplicatesAreStillFound() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        // Producer 7 writes key a five times; its batches are all superseded by producer 8's
        // later write of the same key.
        for sequence in 0..<5 {
            try await log.append([Record(key: [0x61], value: [UInt8(sequence)])],
                                 producer: .init(producerId: 7, producerEpoch: 0, baseSequence: Int32(sequence)))
        }
        for sequence in 0..<3 {
            try await log.append([Record(key: [0x61], value: [UInt8(10 + sequence)])],
                                 producer: .init(producerId: 8, producerEpoch: 0, baseSequence: Int32(sequence)))
        }
        try log.roll()
        try LogCleaner().clean(log)
        var headers: [RecordBatchHeader] = []
        try log.forEachBatchHeader(from: 0) { headers.append($0) }
        let seven = headers.filter { $0.producerId == 7 }
        #expect(seven.count == 1)
        #expect(seven.first?.baseOffset == 4)
        #expect(seven.first?.recordsCount == 0)
        #expect(try Self.replay(log) == [Replayed(offset: 7, key: [0x61], value: [12])])

        // Producer state rebuilt from the compacted log (what a broker does after a restart).
        try log.close()
        let reopened = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        let table = ProducerStateTable()
        try reopened.forEachBatchHeader(from: 0) { table.apply($0) }
        #expect(table.check(producerId: 7, epoch: 0, firstSequence: 4, lastSequence: 4) == .duplicate(firstOffset: 4, lastOffset: 4))
        guard case .append(let next) = table.check(producerId: 7, epoch: 0, firstSequence: 5, lastSequence: 5) else {
            Issue.record("producer 7's next sequence is not accepted")
            return
        }
        table.cancel(next)
        #expect(table.check(producerId: 8, epoch: 0, firstSequence: 2, lastSequence: 2) == .duplicate(firstOffset: 7, lastOffset: 7))
        try reopened.close()
    }

    /// A follower copies a compacted leader's batches byte for byte (batches with fewer
    /// records than offsets, empty ones) and compacts on its own to the same records.
    @Test func aFollowerCopiesACompactedLeaderAndCompactsOnItsOwn() async throws {
        let directory = TemporaryDirectory()
        let leader = try PartitionLog(directory: directory.child("leader/t-0"), config: Self.config())
        for round in 0..<80 {
            try await leader.append([Record(key: Self.key(round % 4), value: Array("v\(round)".utf8)),
                                     Record(key: Self.key(round % 6), value: round % 9 == 0 ? nil : [1])],
                                    compression: round % 3 == 0 ? .zstd : .none)
        }
        try leader.roll()
        try LogCleaner().clean(leader)
        let compacted = try Self.replay(leader)
        let follower = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        while follower.logEndOffset < leader.logEndOffset {
            try await follower.appendAsFollower(
                try PartitionLogReplicationTests.fetch(leader, from: follower.logEndOffset, maxBytes: 700))
        }
        #expect(try Self.replay(follower) == compacted)
        try follower.roll()
        try LogCleaner().clean(follower, force: true)
        #expect(Self.latest(try Self.replay(follower)) == Self.latest(compacted))
        try leader.close()
        try follower.close()
    }

    /// The embedded consumer reads a compacted topic through its empty batches (producers'
    /// last ones, segment ends, gap batches) to the end, and the store's cleaner runs on
    /// request.
    @Test func consumerReadsACompactedTopicToItsEnd() async throws {
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.child("store"), retentionCheckInterval: nil, cleanerInterval: nil)
        let topic = try store.createTopic("c", config: Self.config())
        let log = try topic.partition(0)
        for round in 0..<50 {
            try await log.append([Record(key: Self.key(round % 3), value: Array("v\(round)".utf8))],
                                 producer: .init(producerId: 3, producerEpoch: 0, baseSequence: Int32(round)))
        }
        // The newest batches are superseded too, so the log ends with empty batches.
        try await log.append([Record(key: Self.key(9), value: [1])])
        for key in 0..<3 { try await log.append([Record(key: Self.key(key), value: nil)]) }
        try await log.append([Record(key: Self.key(9), value: [2])])
        try log.roll()
        #expect(try store.runCleaner().count == 1)
        let consumer = try store.consumer(group: "g", topic: "c")
        var seen: [Int64] = []
        for _ in 0..<20 where await consumer.position(0) != log.logEndOffset {
            seen += try await consumer.poll(timeout: .milliseconds(10)).map(\.offset)
        }
        let position = await consumer.position(0)
        #expect(position == log.logEndOffset)
        #expect(seen == [51, 52, 53, 54])
        try store.close()
    }

    /// `minCompactionLagMs` holds young records back; `maxCompactionLagMs` forces a clean
    /// the dirty ratio would not start.
    @Test func compactionLagsDecideWhenAPartitionIsCleaned() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        var config = Self.config()
        config.minCleanableDirtyRatio = 0.9
        config.minCompactionLagMs = 5_000
        config.maxCompactionLagMs = 60_000
        let log = try PartitionLog(directory: directory.child("t-0"), config: config, clock: clock.read)
        for round in 0..<40 { try await log.append([Record(key: Self.key(round % 4), value: Array("v\(round)".utf8))]) }
        try log.roll()
        let cleaner = LogCleaner()
        #expect(try cleaner.clean(log) == nil, "every segment is younger than the minimum lag")
        clock.advance(5_001)
        #expect(try cleaner.clean(log) != nil, "old enough, and all of it dirty")
        for round in 0..<4 { try await log.append([Record(key: Self.key(round), value: [9])]) }
        try log.roll()
        clock.advance(5_001)
        #expect(try cleaner.clean(log) == nil, "a dirty ratio below 0.9")
        clock.advance(60_000)
        let forced = try #require(try cleaner.clean(log), "past the maximum lag")
        #expect(forced.dirtyRatio < 0.9)
        #expect(try Self.replay(log).map(\.value) == [[9], [9], [9], [9]])
        try log.close()
    }

    /// `compact` alone never deletes segments by age; `compact,delete` does both, and the
    /// small segments cleaning leaves are merged by the next clean.
    @Test func cleanupPoliciesCombineRetentionAndCompaction() async throws {
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        for policy in [CleanupPolicy.compact, .compactAndDelete] {
            var config = Self.config()
            config.cleanupPolicy = policy
            config.retentionMs = 10_000
            let log = try PartitionLog(directory: directory.child("\(policy)-0"), config: config, clock: clock.read)
            for round in 0..<60 { try await log.append([Record(key: Self.key(round % 30), value: Array("value \(round)".utf8))]) }
            try log.roll()
            let cleaner = LogCleaner()
            try cleaner.clean(log)
            let afterFirst = log.segmentCount
            try cleaner.clean(log, force: true)
            #expect(log.segmentCount < afterFirst, "\(policy): cleaned segments are merged")
            #expect(try Self.replay(log).count == 30)
            clock.advance(20_000)
            try await log.append([Record(key: Self.key(99), value: [1])])
            try log.enforceRetention()
            #expect(try Self.replay(log).count == (policy == .compact ? 31 : 1), "\(policy)")
            try log.close()
        }
    }

    @Test func readersOfReplacedSegmentsFinish() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        for round in 0..<40 {
            try await log.append([Record(key: Self.key(round % 3), value: Array("value \(round)".utf8))])
        }
        try log.roll()
        let slices = try log.read(from: 0, maxBytes: 1 << 20)
        let before = try slices.map { try $0.file.read(count: $0.length, at: $0.position) }
        try LogCleaner().clean(log)
        let after = try slices.map { try $0.file.read(count: $0.length, at: $0.position) }
        #expect(before == after, "a slice taken before the swap reads the old bytes")
        #expect(try Self.replay(log).count == 3)
        try log.close()
    }

    @Test func oldTopicFilesWithoutCompactionSettingsLoad() throws {
        // A topic file as written before the compaction settings existed.
        let json = #"{"config":{"durability":{"os":{}},"indexIntervalBytes":4096,"maxIndexBytes":10485760,"maxMessageBytes":1048588,"retentionBytes":-1,"retentionMs":3600000,"segmentBytes":1073741824,"segmentMs":604800000},"name":"old","partitions":2,"version":1}"#
        let file = try #require(Store.TopicFile.decode(Array(json.utf8)))
        #expect(file.partitions == 2)
        let config = file.config
        #expect(config.retentionMs == 3_600_000)
        #expect(config.cleanupPolicy == .delete)
        #expect(config.minCleanableDirtyRatio == 0.5)
        #expect(config.deleteRetentionMs == 86_400_000)
        #expect(config.maxCompactionLagMs == .max)
        #expect(config.durability == .os)
        var compacted = LogConfig()
        compacted.cleanupPolicy = .compactAndDelete
        compacted.minCompactionLagMs = 5
        let roundTrip = try JSONDecoder().decode(LogConfig.self, from: JSONEncoder().encode(compacted))
        #expect(roundTrip == compacted)
        #expect(CleanupPolicy(kafkaList: "delete, compact") == .compactAndDelete)
        #expect(CleanupPolicy(kafkaList: "compact,") == nil)
    }

    /// Property: for random histories (keys, tombstones, codecs, producers, batch sizes,
    /// segment sizes, key map sizes, cleans at random moments), replaying the compacted
    /// log gives the same key → latest value map as the uncompacted history, every record
    /// left is one that was written at that offset, and once `deleteRetentionMs` has
    /// passed after the clean that kept them, tombstones are gone.
    @Test(arguments: 0..<24)
    func compactionPreservesLatestValues(seed: UInt64) async throws {
        var random = SeededGenerator(seed: 0xC0FFEE &+ seed)
        let directory = TemporaryDirectory()
        let clock = ManualClock()
        var config = Self.config(segmentBytes: Int.random(in: 300...4000, using: &random))
        config.cleanupPolicy = Bool.random(using: &random) ? .compact : .compactAndDelete
        config.retentionMs = -1
        let log = try PartitionLog(directory: directory.child("t-0"), config: config, clock: clock.read)
        let cleaner = LogCleaner(keyMapBytes: Bool.random(using: &random) ? OffsetMap.minimumBytes : 1 << 20)
        let keyCount = Int.random(in: 2...120, using: &random)
        var history: [Int64: Replayed] = [:]
        var model: [[UInt8]: Replayed] = [:]
        var sequences: [Int64: Int32] = [:]
        let codecs: [CompressionCodec] = [.none, .gzip, .snappy, .lz4, .zstd]

        func check() throws {
            let compacted = try Self.replay(log)
            for record in compacted {
                #expect(history[record.offset] == record, "seed \(seed): record \(record) was never written there")
            }
            let live = model.filter { $0.value.value != nil }
            #expect(Self.latest(compacted).filter { $0.value.value != nil } == live, "seed \(seed)")
            // A key whose latest record is a tombstone has that tombstone or nothing.
            for (key, record) in Self.latest(compacted) where record.value == nil {
                #expect(model[key] == record, "seed \(seed)")
            }
        }

        for step in 0..<Int.random(in: 100...260, using: &random) {
            let count = Int.random(in: 1...6, using: &random)
            var records: [Record] = []
            for _ in 0..<count {
                let key = Self.key(Int.random(in: 0..<keyCount, using: &random))
                let tombstone = Int.random(in: 0..<7, using: &random) == 0
                records.append(Record(key: key, value: tombstone ? nil : Array("s\(seed)-\(step)".utf8) + random.bytes(Int.random(in: 0...40, using: &random))))
            }
            var producer = RecordBatchEncoder.ProducerFields.none
            if Int.random(in: 0..<3, using: &random) == 0 {
                let id = Int64.random(in: 1...3, using: &random)
                let sequence = sequences[id, default: 0]
                producer = .init(producerId: id, producerEpoch: 0, baseSequence: sequence)
                sequences[id] = sequence + Int32(count)
            }
            let result = try await log.append(records, compression: codecs.randomElement(using: &random)!, producer: producer)
            for (index, record) in records.enumerated() {
                let replayed = Replayed(offset: result.baseOffset + Int64(index), key: record.key, value: record.value)
                history[replayed.offset] = replayed
                model[record.key!] = replayed
            }
            clock.advance(Int64.random(in: 0...400, using: &random))
            if Int.random(in: 0..<15, using: &random) == 0 {
                if Bool.random(using: &random) { try log.roll() }
                try cleaner.clean(log, force: Bool.random(using: &random))
                try check()
            }
        }
        try log.roll()
        while try cleaner.clean(log) != nil {}
        try check()
        // Every tombstone has had its first clean; past the horizon they all go.
        clock.advance(config.deleteRetentionMs + 1)
        try cleaner.clean(log, force: true)
        try check()
        let remaining = try Self.replay(log)
        #expect(remaining.allSatisfy { $0.value != nil }, "seed \(seed): tombstones left after the delete horizon")
        #expect(Dictionary(uniqueKeysWithValues: remaining.map { ($0.key!, $0) }) == model.filter { $0.value.value != nil })

        // Producer state survives: each producer's last batch is still in the log.
        var lastBatch: [Int64: Int32] = [:]
        try log.forEachBatchHeader(from: 0) { header in
            if header.producerId >= 0 {
                lastBatch[header.producerId] = ProducerStateTable.lastSequence(first: header.baseSequence,
                                                                               lastOffsetDelta: header.lastOffsetDelta)
            }
        }
        #expect(lastBatch.mapValues { $0 + 1 } == sequences, "seed \(seed)")

        // And all of it after a reopen that scans every segment.
        try log.close()
        try FileManager.default.removeItem(atPath: directory.child("t-0") + "/" + PartitionCheckpoint.fileName)
        let reopened = try PartitionLog(directory: directory.child("t-0"), config: config, clock: clock.read)
        #expect(try Self.replay(reopened) == remaining)
        try reopened.close()
    }
}
