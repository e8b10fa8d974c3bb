import BasaltTesting
import Glibc
import Testing
@testable import Basalt

/// ``Store/addPartitions(to:count:)``, ``Store/updateTopicConfig(_:config:)`` and
/// ``PartitionLog/deleteRecords(before:)``: their effect, that it survives a reopen, and
/// that an I/O error at any write-side call of each leaves the old state or the new one,
/// never a topic that does not open or a partition that does not take appends.
@Suite struct StoreTopicChangesTests {
    static func config() -> LogConfig {
        var config = LogConfig()
        config.durability = .os
        config.segmentBytes = 4096
        config.maxIndexBytes = 4096
        config.retentionMs = -1
        return config
    }

    static func record(_ index: Int, size: Int = 200) -> Record {
        Record(key: Array("key-\(index)".utf8), value: Array(repeating: UInt8(index % 251), count: size))
    }

    static func open(_ directory: TemporaryDirectory, io: any FileIO = SystemFileIO()) throws -> Store {
        try Store(directory: directory.path, defaultConfig: config(), retentionCheckInterval: nil, io: io)
    }

    // MARK: - Growth

    @Test func growthAddsUsablePartitionsThatSurviveReopen() async throws {
        let directory = TemporaryDirectory()
        do {
            let store = try Self.open(directory)
            let before = try store.createTopic("t", partitions: 2)
            try await before.append([Self.record(1)], partition: 1)
            let grown = try store.addPartitions(to: "t", count: 5)
            #expect(grown.partitionCount == 5)
            #expect(try store.topic("t").partitionCount == 5)
            #expect(before.partitionCount == 2)  // a topic looked up before keeps its list
            #expect(grown.partitions[1] === before.partitions[1])  // old partitions are the same logs
            for partition in Int32(0)..<5 { try await grown.append([Self.record(Int(partition))], partition: partition) }
            // Keys map by murmur2 over the new count.
            for index in 0..<50 {
                let key = Array("customer-\(index)".utf8)
                #expect(grown.partition(forKey: key) == Partitioner.partition(forKey: key, partitionCount: 5))
            }
            #expect(throws: BasaltError.self) { try store.addPartitions(to: "t", count: 5) }
            #expect(throws: BasaltError.self) { try store.addPartitions(to: "t", count: 3) }
            #expect(throws: BasaltError.self) { try store.addPartitions(to: "t", count: Int32.max) }
            #expect(throws: BasaltError.unknownTopic("u")) { try store.addPartitions(to: "u", count: 3) }
            try store.close()
        }
        let store = try Self.open(directory)
        let topic = try store.topic("t")
        #expect(topic.partitionCount == 5)
        #expect(try topic.partition(1).logEndOffset == 2)
        #expect(try topic.partition(4).logEndOffset == 1)
        try store.close()
    }

    /// Directories a crashed growth left (here: made by hand, with a stray file) are not
    /// reused: the next growth recreates them empty.
    @Test func leftoverDirectoriesOfAnUnfinishedGrowthAreRecreated() async throws {
        let directory = TemporaryDirectory()
        let store = try Self.open(directory)
        try store.createTopic("t", partitions: 1)
        mkdir(directory.child("t-1"), 0o755)
        let stray = directory.child("t-1/00000000000000000000.log")
        let descriptor = Glibc.open(stray, O_WRONLY | O_CREAT, 0o644)
        _ = write(descriptor, "garbage", 7)
        close(descriptor)
        let grown = try store.addPartitions(to: "t", count: 2)
        #expect(try grown.partition(1).logEndOffset == 0)
        try await grown.append([Self.record(0)], partition: 1)
        #expect(try grown.partition(1).readRecords(from: 0).count == 1)
        try store.close()
    }

    /// An I/O error at each write-side call of a growth: the call throws and the topic
    /// keeps its old count in memory, or it succeeds; either way the store reopens with
    /// the old or the new count, every partition takes an append, and a later growth works.
    @Test func faultAtEveryWriteCallOfAGrowth() async throws {
        let calls = try await Self.countCalls { store in try store.addPartitions(to: "t", count: 4) }
        #expect(calls > 4)
        for call in 1...calls {
            let directory = TemporaryDirectory()
            let io = FaultInjectingFileIO()
            let store = try Self.open(directory, io: io)
            try store.createTopic("t", partitions: 2)
            try await store.topic("t").append([Self.record(0)], partition: 0)
            io.inject(.error(.noSpace), atCall: io.callCount + call)
            let grew = (try? store.addPartitions(to: "t", count: 4)) != nil
            let counted = try store.topic("t").partitionCount
            #expect(counted == (grew ? 4 : 2), "call \(call)")
            for partition in 0..<counted { try await store.topic("t").append([Self.record(1)], partition: partition) }
            try? store.close()

            let reopened = try Self.open(directory)
            let topic = try reopened.topic("t")
            #expect(topic.partitionCount == 2 || topic.partitionCount == 4, "call \(call)")
            if grew { #expect(topic.partitionCount == 4, "call \(call)") }
            #expect(try topic.partition(0).logEndOffset == 2, "call \(call)")
            for partition in 0..<topic.partitionCount { try await topic.append([Self.record(2)], partition: partition) }
            #expect(try reopened.addPartitions(to: "t", count: 6).partitionCount == 6, "call \(call)")
            try reopened.close()
        }
    }

    // MARK: - Settings

    @Test func newSettingsApplyAtOnceAndSurviveReopen() async throws {
        let directory = TemporaryDirectory()
        do {
            let store = try Self.open(directory)
            let topic = try store.createTopic("t", partitions: 1)
            for index in 0..<60 { try await topic.append([Self.record(index)], partition: 0) }
            let log = try topic.partition(0)
            let segments = log.segmentCount
            #expect(segments > 3)
            var smaller = topic.config
            smaller.retentionBytes = 4096
            smaller.maxMessageBytes = 150
            let changed = try store.updateTopicConfig("t", config: smaller)
            #expect(changed.config == smaller && log.config == smaller)
            #expect(try store.topic("t").config == smaller)
            await #expect(throws: BasaltError.self) { try await log.append([Self.record(0)]) }
            #expect(try log.enforceRetention() > 0)
            #expect(log.segmentCount < segments)
            var invalid = smaller
            invalid.segmentBytes = 10
            #expect(throws: BasaltError.self) { try store.updateTopicConfig("t", config: invalid) }
            #expect(log.config == smaller)
            try store.close()
        }
        let store = try Self.open(directory)
        #expect(try store.topic("t").config.retentionBytes == 4096)
        #expect(try store.topic("t").partition(0).config.maxMessageBytes == 150)
        try store.close()
    }

    /// Switching a log from every-append durability to the OS policy while appends wait
    /// for their sync: they still complete and are readable.
    @Test func durabilityChangeWhileAppending() async throws {
        let directory = TemporaryDirectory()
        var config = Self.config()
        config.durability = .everyAppend
        let log = try PartitionLog(directory: directory.child("t-0"), config: config)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask { try await log.append([Self.record(index)]) }
                if index == 20 {
                    var relaxed = config
                    relaxed.durability = .os
                    try log.updateConfig(relaxed)
                }
            }
            try await group.waitForAll()
        }
        #expect(log.logEndOffset == 40)
        #expect(try log.readRecords(from: 0, maxBytes: 1 << 20).count == 40)
        try log.close()
    }

    @Test func faultAtEveryWriteCallOfASettingsChange() async throws {
        var changed = Self.config()
        changed.retentionBytes = 8192
        let calls = try await Self.countCalls { store in try store.updateTopicConfig("t", config: changed) }
        #expect(calls > 1)
        for call in 1...calls {
            let directory = TemporaryDirectory()
            let io = FaultInjectingFileIO()
            let store = try Self.open(directory, io: io)
            try store.createTopic("t", partitions: 2)
            io.inject(.error(.io), atCall: io.callCount + call)
            let applied = (try? store.updateTopicConfig("t", config: changed)) != nil
            #expect(try store.topic("t").config == (applied ? changed : Self.config()), "call \(call)")
            #expect(try store.topic("t").partition(1).config == (applied ? changed : Self.config()), "call \(call)")
            try? store.close()
            let reopened = try Self.open(directory)
            let config = try reopened.topic("t").config
            #expect(config == changed || config == Self.config(), "call \(call)")
            if applied { #expect(config == changed, "call \(call)") }
            try reopened.close()
        }
    }

    // MARK: - Log start offset

    /// An I/O error at each write-side call of a DeleteRecords: it throws and the log
    /// start stays, or it succeeds; after a reopen the start is the old or the new one
    /// (the new one if it succeeded), and nothing below it is readable.
    @Test func faultAtEveryWriteCallOfDeleteRecords() async throws {
        let calls = try await Self.countCalls { store in try store.topic("t").partition(0).deleteRecords(before: 50) }
        #expect(calls > 1)
        for call in 1...calls {
            let directory = TemporaryDirectory()
            let io = FaultInjectingFileIO()
            let store = try Self.open(directory, io: io)
            let log = try store.createTopic("t", partitions: 1).partition(0)
            for index in 0..<60 { try await log.append([Self.record(index)]) }
            io.inject(.error(.noSpace), atCall: io.callCount + call)
            let deleted = (try? log.deleteRecords(before: 50)) != nil
            if deleted { #expect(log.logStartOffset == 50, "call \(call)") }
            let start = log.logStartOffset
            #expect(start == 0 || start == 50, "call \(call)")
            try? store.close()
            let reopened = try Self.open(directory)
            let reopenedLog = try reopened.topic("t").partition(0)
            // A checkpoint renamed into place before a failed directory sync holds the new
            // start although the call threw: the old start or the new one, nothing else.
            #expect(reopenedLog.logStartOffset == start || reopenedLog.logStartOffset == 50, "call \(call)")
            if deleted { #expect(reopenedLog.logStartOffset == 50, "call \(call)") }
            let first = reopenedLog.logStartOffset
            #expect(try reopenedLog.readRecords(from: first).first?.offset == first, "call \(call)")
            if first > 0 {
                #expect(throws: BasaltError.self) { try reopenedLog.readRecords(from: first - 1) }
            }
            try reopened.close()
        }
    }

    @Test func deleteRecordsBeyondTheHighWatermarkIsRefused() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.config())
        for index in 0..<10 { try await log.append([Self.record(index)]) }
        #expect(throws: BasaltError.offsetOutOfRange(offset: 11, logStartOffset: 0, logEndOffset: 10)) {
            try log.deleteRecords(before: 11)
        }
        try log.deleteRecords(before: 10)
        #expect(log.logStartOffset == 10)
        #expect(throws: BasaltError.self) { try log.readRecords(from: 9) }
        try log.close()
    }

    /// The write-side calls `change` makes on a store holding topic `t` (2 partitions, or
    /// 1 partition of 60 records for a DeleteRecords), counted on a clean run.
    static func countCalls(_ change: @escaping (Store) throws -> Void) async throws -> Int {
        let directory = TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let store = try open(directory, io: io)
        try store.createTopic("t", partitions: 2)
        for index in 0..<60 { try await store.topic("t").append([record(index)], partition: 0) }
        let before = io.callCount
        try change(store)
        let calls = io.callCount - before
        try store.close()
        return calls
    }
}
