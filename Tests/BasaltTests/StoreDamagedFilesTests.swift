import Foundation
import Glibc
import Testing
@testable import Basalt

/// Each of the store's small files, damaged in the ways that used to be read as a
/// default or loaded whole: the open fails with a ``BasaltError`` that names the file,
/// or (a producer-state snapshot, which is derived data) the damage is reported and the
/// state rebuilt from the log.
@Suite struct StoreDamagedFilesTests {
    static func config() -> LogConfig {
        var config = StoreTests.config()
        config.segmentBytes = 1024
        return config
    }

    /// A closed store with topic `t` (one partition, a few segments) and group `g`.
    static func makeStore(_ directory: TemporaryDirectory) async throws {
        let store = try Store(directory: directory.path, defaultConfig: config(), retentionCheckInterval: nil)
        let topic = try store.createTopic("t")
        for index in 0..<40 {
            try await topic.append([Record(value: Array("record \(index) ".utf8) + [UInt8](repeating: 1, count: 60))], partition: 0)
        }
        try store.cursors.commit(group: "g", offsets: [TopicPartition(topic: "t", partition: 0): CommittedOffset(offset: 3)])
        try store.close()
    }

    static func expectCorrupt(_ file: String, position: Int64? = nil, _ body: () throws -> Void,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("opened a store whose \(file) is damaged", sourceLocation: sourceLocation)
        } catch BasaltError.corruptLog(let path, let at, _) {
            #expect(path == file, sourceLocation: sourceLocation)
            if let position { #expect(at == position, sourceLocation: sourceLocation) }
        } catch {
            Issue.record("expected corruptLog naming \(file), got \(error)", sourceLocation: sourceLocation)
        }
    }

    static func replaceFile(_ path: String, _ bytes: [UInt8]) {
        _ = unlink(path)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
    }

    static func open(_ directory: TemporaryDirectory) throws {
        let store = try Store(directory: directory.path, defaultConfig: config(), retentionCheckInterval: nil)
        try store.close()
    }

    @Test func damagedCheckpointIsAnErrorNotAFullRecoveryFromZero() async throws {
        let directory = TemporaryDirectory()
        try await Self.makeStore(directory)
        let path = directory.child("t-0/" + PartitionCheckpoint.fileName)
        for damage: [UInt8] in [Array("basalt-partition-checkpoint 1\nrecovery-point x\n".utf8), [], [0xff, 0xfe, 0x00]] {
            Self.replaceFile(path, Array(damage))
            Self.expectCorrupt(path, position: 0) { try Self.open(directory) }
        }
        truncateFile(path, to: Int64(PartitionCheckpoint.maxFileBytes) + 1)
        Self.expectCorrupt(path, position: Int64(PartitionCheckpoint.maxFileBytes)) { try Self.open(directory) }
        // Removing it is the documented way out: every segment is recovered.
        _ = unlink(path)
        try Self.open(directory)
    }

    @Test func oversizedTopicFileIsRefusedBeforeItIsRead() async throws {
        let directory = TemporaryDirectory()
        try await Self.makeStore(directory)
        let path = directory.child("topics/t.json")
        // Valid JSON padded past the limit: read whole it would parse.
        let padded = readFile(path) + [UInt8](repeating: UInt8(ascii: " "), count: Store.maxTopicFileBytes)
        Self.replaceFile(path, Array(padded))
        Self.expectCorrupt(path, position: Int64(Store.maxTopicFileBytes)) { try Self.open(directory) }
        let catalog = try Store.topicDescriptions(directory: directory.path)
        #expect(catalog.items.isEmpty)
        #expect(catalog.damaged.map(\.path) == [path])
        #expect(catalog.damaged.first?.error == .corruptLog(
            file: path, position: Int64(Store.maxTopicFileBytes),
            reason: "the file holds \(padded.count) bytes or more, more than the \(Store.maxTopicFileBytes) it may hold"))
    }

    @Test func topicFileSettingsAreValidatedAsAtCreation() async throws {
        let directory = TemporaryDirectory()
        try await Self.makeStore(directory)
        let path = directory.child("topics/t.json")
        let original = String(decoding: readFile(path), as: UTF8.self)
        for (field, value) in [("\"segmentBytes\" : 1024", "\"segmentBytes\" : 10"), ("\"partitions\" : 1", "\"partitions\" : 10001"),
                               ("\"maxIndexBytes\" : 4096", "\"maxIndexBytes\" : -8")] {
            #expect(original.contains(field), "fixture lacks \(field)")
            Self.replaceFile(path, Array(original.replacingOccurrences(of: field, with: value).utf8))
            Self.expectCorrupt(path, position: 0) { try Self.open(directory) }
        }
    }

    @Test func oversizedCursorFileIsRefusedBeforeItIsRead() async throws {
        let directory = TemporaryDirectory()
        try await Self.makeStore(directory)
        let path = directory.child("cursors/g.json")
        let padded = readFile(path) + [UInt8](repeating: UInt8(ascii: "\n"), count: CursorStore.maxFileBytes)
        Self.replaceFile(path, Array(padded))
        Self.expectCorrupt(path, position: Int64(CursorStore.maxFileBytes)) { try Self.open(directory) }
        let catalog = try CursorStore.readGroups(directory: directory.child("cursors"))
        #expect(catalog.damaged.map(\.path) == [path])
    }

    /// A batch's base offset is not covered by its CRC. One near `Int64.max` made the
    /// open's last-batch check compute an offset past the range: a trap.
    @Test func baseOffsetAtTheEndOfTheRangeIsDamageNotATrap() async throws {
        let directory = TemporaryDirectory()
        try await Self.makeStore(directory)
        let log = directory.child("t-0/" + SegmentFileName.name(0, SegmentFileName.log))
        let bytes = readFile(log)
        // The last batch of the first segment.
        var position = 0
        var last = 0
        while position + RecordBatchHeader.size <= bytes.count {
            last = position
            let length = bytes[(position + 8)..<(position + 12)].reduce(0) { $0 << 8 | Int($1) }
            position += 12 + length
        }
        overwrite(log, at: Int64(last), with: [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        #expect(throws: BasaltError.self) { try Self.open(directory) }
    }

    /// The same damage in a batch that a clean open does not read: the readers that
    /// reach it (producer state rebuild, fetch) get a typed error.
    @Test func baseOffsetAtTheEndOfTheRangeInAnUnreadBatchIsDamageNotATrap() async throws {
        let directory = TemporaryDirectory()
        var config = Self.config()
        // Index entries every few batches: a clean open reads only from the last one on.
        config.indexIntervalBytes = 100
        do {
            let store = try Store(directory: directory.path, defaultConfig: config, retentionCheckInterval: nil)
            let log = try store.createTopic("t").partition(0)
            for batch in 0..<20 {
                try await log.append((0..<3).map { Record(value: [UInt8(batch), UInt8($0)]) },
                                     producer: .init(producerId: 5, producerEpoch: 0, baseSequence: Int32(batch * 3)))
            }
            try store.close()
        }
        let file = directory.child("t-0/" + SegmentFileName.name(0, SegmentFileName.log))
        // The second batch: after the first (which the open reads) and before the
        // segment's last index entry.
        let bytes = readFile(file)
        let second = Int64(12 + bytes[8..<12].reduce(0) { $0 << 8 | Int($1) })
        overwrite(file, at: second, with: [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        // The open, or else the readers that reach the batch, report it.
        do {
            let store = try Store(directory: directory.path, defaultConfig: config, retentionCheckInterval: nil)
            defer { try? store.close() }
            let log = try store.topic("t").partition(0)
            _ = try ProducerStateTable.load(for: log)
            _ = try log.readRecords(from: 0)
            Issue.record("read a batch whose base offset is Int64.max")
        } catch BasaltError.corruptLog(let path, let position, _) {
            #expect(path == file && position == second)
        }
    }
}
