import Basalt
import Foundation
import Testing

/// The idempotent-producer rules of the core's ``ProducerStateTable``, and its rebuild
/// from the log and from snapshots.
@Suite struct ProducerStateTableTests {
    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "basalt-producer-state-" + UUID().uuidString
    }

    @Test func sequencesDuplicatesAndGaps() throws {
        let table = ProducerStateTable()
        guard case .append(let first) = table.check(producerId: 7, epoch: 0, firstSequence: 0, lastSequence: 9) else {
            Issue.record("first batch refused"); return
        }
        // The same batch while the first is still being appended.
        #expect(table.check(producerId: 7, epoch: 0, firstSequence: 0, lastSequence: 9) == .inFlight)
        table.complete(first, firstOffset: 100, lastOffset: 109)
        #expect(table.check(producerId: 7, epoch: 0, firstSequence: 0, lastSequence: 9) == .duplicate(firstOffset: 100, lastOffset: 109))
        #expect(table.check(producerId: 7, epoch: 0, firstSequence: 11, lastSequence: 12) == .outOfOrder(expected: 10))
        #expect(table.check(producerId: 8, epoch: 0, firstSequence: 5, lastSequence: 5) == .unknownProducer)
        guard case .append(let second) = table.check(producerId: 7, epoch: 0, firstSequence: 10, lastSequence: 19) else {
            Issue.record("next batch refused"); return
        }
        table.cancel(second)
        // A cancelled append leaves the sequence where it was.
        guard case .append = table.check(producerId: 7, epoch: 0, firstSequence: 10, lastSequence: 19) else {
            Issue.record("retry after cancel refused"); return
        }
    }

    @Test func onlyTheLastFiveBatchesAreRemembered() {
        let table = ProducerStateTable()
        for batch in 0..<8 {
            let first = Int32(batch * 2)
            guard case .append(let reservation) = table.check(producerId: 1, epoch: 0, firstSequence: first, lastSequence: first + 1) else {
                Issue.record("batch \(batch) refused"); return
            }
            table.complete(reservation, firstOffset: Int64(batch * 2), lastOffset: Int64(batch * 2 + 1))
        }
        #expect(table.entry(1)?.batches.count == ProducerStateTable.batchesPerProducer)
        #expect(table.check(producerId: 1, epoch: 0, firstSequence: 6, lastSequence: 7) == .duplicate(firstOffset: 6, lastOffset: 7))
        #expect(table.check(producerId: 1, epoch: 0, firstSequence: 4, lastSequence: 5) == .outOfOrder(expected: 16))
    }

    @Test func epochsFenceAndRestartSequences() {
        let table = ProducerStateTable()
        guard case .append(let a) = table.check(producerId: 3, epoch: 1, firstSequence: 0, lastSequence: 4) else { return }
        table.complete(a, firstOffset: 0, lastOffset: 4)
        #expect(table.check(producerId: 3, epoch: 0, firstSequence: 5, lastSequence: 5) == .invalidEpoch(current: 1))
        #expect(table.check(producerId: 3, epoch: 2, firstSequence: 3, lastSequence: 3) == .outOfOrder(expected: 0))
        guard case .append(let b) = table.check(producerId: 3, epoch: 2, firstSequence: 0, lastSequence: 0) else {
            Issue.record("new epoch refused"); return
        }
        table.complete(b, firstOffset: 5, lastOffset: 5)
        #expect(table.entry(3)?.epoch == 2)
    }

    @Test func sequencesWrapAtInt32Max() {
        #expect(ProducerStateTable.lastSequence(first: Int32.max - 1, lastOffsetDelta: 3) == 1)
        // Hostile headers still get an answer, never an overflow trap.
        #expect(ProducerStateTable.lastSequence(first: Int32.max, lastOffsetDelta: Int32.max) == Int32.max - 1)
        #expect(ProducerStateTable.lastSequence(first: -5, lastOffsetDelta: Int32.min) == Int32(truncatingIfNeeded: -5 + Int64(Int32.min)))
        let table = ProducerStateTable()
        table.apply(RecordBatchHeader(baseOffset: 0, batchLength: 49, attributes: 0, lastOffsetDelta: 1, baseTimestamp: 0,
                                      maxTimestamp: 0, producerId: 9, producerEpoch: 0, baseSequence: Int32.max - 1, recordsCount: 2))
        guard case .append = table.check(producerId: 9, epoch: 0, firstSequence: 0, lastSequence: 3) else {
            Issue.record("wrapped sequence refused"); return
        }
    }

    @Test func rebuiltFromTheLogAndFromASnapshot() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var log: PartitionLog? = try PartitionLog(directory: directory + "/p-0")
        for batch in 0..<4 {
            try await log!.append([Record(value: [1]), Record(value: [2])],
                                  producer: .init(producerId: 42, producerEpoch: 0, baseSequence: Int32(batch * 2)))
        }
        try await log!.append([Record(value: [3])])  // not idempotent: ignored
        let fromLog = try ProducerStateTable.load(for: log!)
        #expect(fromLog.check(producerId: 42, epoch: 0, firstSequence: 6, lastSequence: 7) == .duplicate(firstOffset: 6, lastOffset: 7))
        #expect(try fromLog.writeSnapshot(for: log!))
        try await log!.append([Record(value: [4])], producer: .init(producerId: 42, producerEpoch: 0, baseSequence: 8))
        try log!.close()
        log = nil

        let reopened = try PartitionLog(directory: directory + "/p-0")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/p-0").filter { $0.hasSuffix(".snapshot") }
        #expect(files == ["00000000000000000009.snapshot"])
        let table = try ProducerStateTable.load(for: reopened)
        // The batch appended after the snapshot came from the log's headers.
        #expect(table.check(producerId: 42, epoch: 0, firstSequence: 8, lastSequence: 8) == .duplicate(firstOffset: 9, lastOffset: 9))
        #expect(table.check(producerId: 42, epoch: 0, firstSequence: 0, lastSequence: 1) == .duplicate(firstOffset: 0, lastOffset: 1))
        try reopened.close()
    }

    /// The last batch's max timestamp (DescribeProducers' LastTimestamp) comes from the append,
    /// from the log's headers on rebuild, and survives a snapshot; a snapshot written before
    /// it was kept still loads, with the timestamp unknown.
    @Test func lastTimestampFromAppendsLogAndSnapshots() async throws {
        let table = ProducerStateTable()
        guard case .append(let first) = table.check(producerId: 3, epoch: 0, firstSequence: 0, lastSequence: 0) else {
            Issue.record("first batch refused"); return
        }
        table.complete(first, firstOffset: 0, lastOffset: 0, maxTimestamp: 1_700_000_000_123)
        #expect(table.entries.map(\.lastTimestamp) == [1_700_000_000_123])

        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var log: PartitionLog? = try PartitionLog(directory: directory + "/p-0")
        try await log!.append([Record(value: [1], timestamp: 1_000), Record(value: [2], timestamp: 5_000)],
                              producer: .init(producerId: 42, producerEpoch: 0, baseSequence: 0))
        let fromLog = try ProducerStateTable.load(for: log!)
        #expect(fromLog.entries.map(\.lastTimestamp) == [5_000])
        #expect(try fromLog.writeSnapshot(for: log!))
        try log!.close()
        log = nil
        let reopened = try PartitionLog(directory: directory + "/p-0")
        #expect(try ProducerStateTable.load(for: reopened).entries.map(\.lastTimestamp) == [5_000])
        try reopened.close()

        let old = directory + "/old-0"
        let empty = try PartitionLog(directory: old)
        let snapshot = #"{"version":1,"offset":0,"producers":[{"producerId":5,"epoch":2,"batches":[]}]}"#
        try Data(snapshot.utf8).write(to: URL(fileURLWithPath: old + "/00000000000000000000.snapshot"))
        let loaded = try ProducerStateTable.load(for: empty)
        #expect(loaded.entries.map(\.producerId) == [5])
        #expect(loaded.entries.map(\.lastTimestamp) == [nil])
        try empty.close()
    }

    /// A snapshot is derived data: a damaged one is reported (naming the file) and the
    /// state rebuilt from the log. One that claims a later offset than its name would
    /// make recovery skip the batches after the real one, so a retry of such a batch
    /// would be appended twice.
    @Test func damagedSnapshotIsReportedAndRebuiltFromTheLog() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/p-0"
        do {
            let log = try PartitionLog(directory: path)
            for batch in 0..<4 {
                try await log.append([Record(value: [1]), Record(value: [2])],
                                     producer: .init(producerId: 42, producerEpoch: 0, baseSequence: Int32(batch * 2)))
            }
            #expect(try ProducerStateTable.load(for: log).writeSnapshot(for: log))
            try await log.append([Record(value: [3]), Record(value: [4])], producer: .init(producerId: 42, producerEpoch: 0, baseSequence: 8))
            try log.close()
        }
        let snapshot = path + "/" + SegmentFileName.name(8, ProducerStateTable.snapshotExtension)
        let original = try String(contentsOfFile: snapshot, encoding: .utf8)
        #expect(original.contains("\"offset\":8"))
        let damages = [original.replacingOccurrences(of: "\"offset\":8", with: "\"offset\":1000000"), "{\"version\":1", "\u{0}garbage",
                       original + String(repeating: " ", count: ProducerStateTable.maxSnapshotBytes)]
        for damage in damages {
            try Data(damage.utf8).write(to: URL(fileURLWithPath: snapshot))
            let log = try PartitionLog(directory: path)
            var reported: [BasaltError] = []
            let table = try ProducerStateTable.load(for: log) { reported.append($0) }
            #expect(reported.count == 1)
            if case .corruptLog(let file, _, _)? = reported.first { #expect(file == snapshot) } else { Issue.record("\(reported)") }
            // A retry of the batch after the snapshot is still a duplicate, and the first one too.
            #expect(table.check(producerId: 42, epoch: 0, firstSequence: 8, lastSequence: 9) == .duplicate(firstOffset: 8, lastOffset: 9))
            #expect(table.check(producerId: 42, epoch: 0, firstSequence: 0, lastSequence: 1) == .duplicate(firstOffset: 0, lastOffset: 1))
            try log.close()
        }
    }
}
