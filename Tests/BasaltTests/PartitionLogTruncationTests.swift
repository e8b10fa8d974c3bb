import Glibc
import Synchronization
import Testing
@testable import Basalt
import BasaltTesting

/// ``PartitionLog/truncate(to:)`` and ``PartitionLog/truncateFullyAndStartAt(_:)``.
@Suite struct PartitionLogTruncationTests {
    static func record(_ index: Int, size: Int = 20) -> Record { PartitionLogTests.record(index, size: size) }
    static func smallSegments(_ durability: Durability = .os) -> LogConfig { PartitionLogTests.smallSegments(durability) }

    /// Appends batches of `batchSize` records until the log end reaches `count`.
    static func fill(_ log: PartitionLog, to count: Int, batchSize: Int = 3, size: Int = 150) async throws {
        while log.logEndOffset < Int64(count) {
            let base = Int(log.logEndOffset)
            try await log.append((base..<(base + batchSize)).map { record($0, size: size) })
        }
    }

    /// A cut inside a batch goes to the batch's start; later segments, index entries,
    /// epochs and the high watermark above the cut go; appends continue at the new end
    /// and every offset reads back, before and after reopening.
    @Test func truncateCutsAtTheBatchHoldingTheOffset() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        let log = try PartitionLog(directory: path, config: Self.smallSegments(.everyAppend))
        log.enableReplication()
        try log.becomeLeader(epoch: 1)
        try await Self.fill(log, to: 60)
        try log.becomeLeader(epoch: 2)
        try await Self.fill(log, to: 120)
        log.updateHighWatermark(120)
        try log.checkpointHighWatermark()
        let segmentsBefore = log.segmentCount
        #expect(segmentsBefore >= 6)
        let newEnd = try log.truncate(to: 50)
        #expect(newEnd == 48)
        #expect(log.logEndOffset == 48)
        #expect(log.highWatermark == 48)
        #expect(log.segmentCount < segmentsBefore)
        #expect(log.leaderEpochCache.entries == [.init(epoch: 1, startOffset: 0)])
        #expect(String(decoding: readFile(path + "/high-watermark"), as: UTF8.self) == "0\n1\n48\n")
        #expect(String(decoding: readFile(path + "/leader-epoch-checkpoint"), as: UTF8.self) == "0\n1\n1 0\n")
        let bases = try Directory.entries(path).compactMap { SegmentFileName.parse($0) }
            .filter { $0.fileExtension == SegmentFileName.log }.map(\.baseOffset)
        #expect(bases.allSatisfy { $0 <= 48 })
        #expect(try log.readRecords(from: 0, maxBytes: 1 << 30).map(\.offset) == Array(0..<48))
        #expect(try log.readRecords(from: 40, maxBytes: 1 << 30).first?.offset == 40)
        #expect(throws: BasaltError.offsetOutOfRange(offset: 49, logStartOffset: 0, logEndOffset: 48)) {
            try log.readRecords(from: 49)
        }
        #expect(try log.truncate(to: 48) == 48)
        #expect(try log.truncate(to: 1_000) == 48)
        let next = try await log.append([Self.record(48)])
        #expect(next.baseOffset == 48)
        try await Self.fill(log, to: 90, batchSize: 1)
        log.updateHighWatermark(90)
        let values = try log.readRecords(from: 0, maxBytes: 1 << 30)
        #expect(values.map(\.offset) == Array(0..<90))
        #expect(values.allSatisfy { $0.key.map(Array.init) == Array("key-\($0.offset)".utf8) })
        // Every offset is found through the rebuilt indexes.
        for offset in stride(from: Int64(0), to: 90, by: 7) {
            #expect(try log.readRecords(from: offset, maxBytes: 1).first?.offset == offset)
        }
        try log.close()
        let reopened = try PartitionLog(directory: path, config: Self.smallSegments())
        #expect(reopened.openReport.wasClean)
        #expect(reopened.logEndOffset == 90)
        #expect(try reopened.readRecords(from: 0, maxBytes: 1 << 30).map(\.offset) == Array(0..<90))
        try reopened.close()
    }

    /// Cutting at a segment's base offset leaves that segment empty and active; an
    /// unclean reopen finds the same log.
    @Test func truncateToASegmentBaseAndReopenUncleanly() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        do {
            let log = try PartitionLog(directory: path, config: Self.smallSegments())
            try await Self.fill(log, to: 100)
            let bases = try Directory.entries(path).compactMap { SegmentFileName.parse($0) }
                .filter { $0.fileExtension == SegmentFileName.log }.map(\.baseOffset).sorted()
            #expect(bases.count >= 4)
            #expect(try log.truncate(to: bases[2]) == bases[2])
            #expect(log.segmentCount == 3)
            #expect(fileSize(path + "/" + SegmentFileName.name(bases[2], "log")) == 0)
            try await Self.fill(log, to: 110)
            // No close: the next open recovers.
        }
        let log = try PartitionLog(directory: path, config: Self.smallSegments())
        #expect(!log.openReport.wasClean)
        #expect(log.logEndOffset >= 110)
        #expect(try log.readRecords(from: 0, maxBytes: 1 << 30).map(\.offset) == Array(0..<log.logEndOffset))
        #expect(throws: BasaltError.self) { try log.truncate(to: -1) }
        try log.close()
    }

    /// Producer-state snapshots above the cut go; the one at the cut stays.
    @Test func truncateRemovesLaterProducerSnapshots() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        let log = try PartitionLog(directory: path, config: Self.smallSegments())
        let producer = RecordBatchEncoder.ProducerFields(producerId: 7, producerEpoch: 0, baseSequence: 0)
        try await log.append([Self.record(0), Self.record(1)], producer: producer)
        let table = try ProducerStateTable.load(for: log)
        try table.writeSnapshot(for: log)
        try await Self.fill(log, to: 30)
        try ProducerStateTable.load(for: log).writeSnapshot(for: log)
        #expect(ProducerStateTable.snapshotFiles(in: path).map(\.offset) == [log.logEndOffset])
        try table.writeSnapshot(for: log)
        try log.truncate(to: 2)
        #expect(ProducerStateTable.snapshotFiles(in: path).isEmpty)
        try ProducerStateTable.load(for: log).writeSnapshot(for: log)
        try await Self.fill(log, to: 10)
        try log.truncate(to: 2)
        #expect(ProducerStateTable.snapshotFiles(in: path).map(\.offset) == [2])
        #expect(try ProducerStateTable.load(for: log).entry(7)?.batches.map(\.lastOffset) == [1])
        try log.close()
    }

    @Test func truncateFullyStartsOverAtTheOffset() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        do {
            let log = try PartitionLog(directory: path, config: Self.smallSegments())
            log.enableReplication()
            try log.becomeLeader(epoch: 3)
            try await Self.fill(log, to: 50)
            log.updateHighWatermark(50)
            try log.truncateFullyAndStartAt(1_000)
            #expect(log.logStartOffset == 1_000 && log.logEndOffset == 1_000 && log.highWatermark == 1_000)
            #expect(log.leaderEpochCache.entries.isEmpty)
            #expect(try Directory.entries(path).filter { $0.hasSuffix(".log") } == [SegmentFileName.name(1_000, "log")])
            let result = try await log.append([Self.record(0)])
            #expect(result.baseOffset == 1_000)
            log.updateHighWatermark(1_001)
            try log.close()
        }
        let log = try PartitionLog(directory: path, config: Self.smallSegments())
        log.enableReplication()
        #expect(log.logStartOffset == 1_000 && log.logEndOffset == 1_001 && log.highWatermark == 1_001)
        #expect(try log.readRecords(from: 1_000).map(\.offset) == [1_000])
        try log.close()
    }

    /// A parked fetch is woken by a truncation.
    @Test func truncationWakesWaiters() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.smallSegments())
        try await Self.fill(log, to: 9)
        let start = ContinuousClock.now
        let waiter = Task { await log.signal.wait(for: [log], timeout: .seconds(600)) { log.logEndOffset < 9 } }
        while log.signal.parkedWaiters < 1 { await Task.yield() }
        try log.truncate(to: 3)
        #expect(await waiter.value)
        // Woken, not timed out: the wait's timeout is 600 s. The margin is wide because a
        // loaded 2-core machine can delay a woken task by tens of seconds.
        #expect(ContinuousClock.now - start < .seconds(300))
        try log.close()
    }

    /// Readers spin over the log while it is truncated and refilled with other records
    /// at the same offsets: every record a reader gets is a whole, valid record for its
    /// offset, and the only errors are the typed ones a cut can cause. No sleeps.
    @Test func truncationIsSafeForConcurrentReaders() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.smallSegments())
        try await Self.fill(log, to: 200, batchSize: 4, size: 60)
        let counters = ReaderCounters()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for reader in 0..<2 {
                group.addTask {
                    var generator = SeededGenerator(seed: UInt64(reader + 1))
                    while !counters.done.load(ordering: .acquiring) {
                        let end = log.logEndOffset
                        let from = end == 0 ? 0 : Int64.random(in: 0..<end, using: &generator)
                        do {
                            let records = try log.readRecords(from: from, maxBytes: 2_000, isolation: .logEnd)
                            for record in records {
                                #expect(record.offset >= from)
                                #expect(record.key.map(Array.init) == Array("key-\(record.offset)".utf8))
                            }
                            var last = from - 1
                            _ = try log.forEachRecord(from: from, maxBytes: 1_000, isolation: .logEnd) { record in
                                #expect(record.offset > last)
                                last = record.offset
                            }
                            counters.reads.add(1, ordering: .relaxed)
                        } catch BasaltError.corruptLog, BasaltError.offsetOutOfRange {
                            counters.cutErrors.add(1, ordering: .relaxed)
                        }
                        // The cooperative pool may have as few threads as readers.
                        await Task.yield()
                    }
                }
            }
            var generator = SeededGenerator(seed: 99)
            for _ in 0..<60 {
                let end = log.logEndOffset
                try log.truncate(to: Int64.random(in: (end / 2)..<end, using: &generator))
                // Refill with records of other sizes, so old positions hold other bytes.
                try await Self.fill(log, to: 200, batchSize: Int.random(in: 1...5, using: &generator),
                                    size: Int.random(in: 10...200, using: &generator))
                // Let the readers run between rounds.
                await Task.yield()
            }
            counters.done.store(true, ordering: .releasing)
            try await group.waitForAll()
        }
        #expect(counters.reads.load(ordering: .relaxed) > 0)
        #expect(try log.readRecords(from: 0, maxBytes: 1 << 30).map(\.offset) == Array(0..<log.logEndOffset))
        try log.close()
    }
}

/// What the concurrent readers of ``PartitionLogTruncationTests`` share with the writer.
final class ReaderCounters: Sendable {
    let done = Atomic<Bool>(false)
    let reads = Atomic<Int>(0)
    let cutErrors = Atomic<Int>(0)
}
