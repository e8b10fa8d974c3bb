import Foundation
import Glibc
import Testing
@testable import Basalt

@Suite struct StoreTests {
    static func config() -> LogConfig {
        var config = LogConfig()
        config.durability = .os
        config.segmentBytes = 8192
        config.maxIndexBytes = 4096
        return config
    }

    @Test func topicLifecycleAndPersistedConfig() async throws {
        let directory = TemporaryDirectory()
        var custom = Self.config()
        custom.retentionBytes = 123_456
        do {
            let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
            try store.createTopic("orders", partitions: 3, config: custom)
            try store.createTopic("audit.log_v2", partitions: 1)
            #expect(throws: BasaltError.topicExists("orders")) { try store.createTopic("orders") }
            #expect(store.topicNames == ["audit.log_v2", "orders"])
            try await store.topic("orders").append([Record(key: Array("k".utf8), value: Array("v".utf8))], partition: 2)
            try store.close()
        }
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        let orders = try store.topic("orders")
        #expect(orders.partitionCount == 3)
        #expect(orders.config == custom)
        #expect(try orders.partition(2).logEndOffset == 1)
        #expect(Directory.exists(directory.child("orders-0")))
        #expect(Directory.exists(directory.child("orders-2")))
        try store.deleteTopic("orders")
        #expect(!Directory.exists(directory.child("orders-0")))
        #expect(throws: BasaltError.unknownTopic("orders")) { try store.topic("orders") }
        try store.close()
        let reopened = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        #expect(reopened.topicNames == ["audit.log_v2"])
        try reopened.close()
    }

    @Test(arguments: ["", ".", "..", "has space", "slash/name", "ünïcode", String(repeating: "x", count: 250)])
    func invalidTopicNamesAreRejected(_ name: String) throws {
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        #expect(throws: BasaltError.self) { try store.createTopic(name) }
        #expect(store.topicNames.isEmpty)
        try store.close()
    }

    @Test func secondOpenIsLockedOut() throws {
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        #expect(throws: BasaltError.storeLocked(path: directory.path)) {
            try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        }
        #expect(StoreLock.isHeld(directory: directory.path))
        try store.close()
        #expect(!StoreLock.isHeld(directory: directory.path))
    }

    @Test func keyedRecordsUseKafkasPartitioner() async throws {
        // Values from kafka-python's murmur2, which matches the Java client.
        let vectors: [(String, UInt32)] = [
            ("21", 3_321_034_988), ("foobar", 3_504_634_814), ("a-little-bit-long-string", 3_308_985_760),
            ("a-little-bit-longer-string", 2_808_662_467),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 4_236_069_325), ("", 275_646_681),
            ("a", 2_731_586_172), ("ab", 316_155_434), ("abc", 479_470_107), ("key-1", 193_331_640),
        ]
        for (key, hash) in vectors {
            #expect(Partitioner.murmur2(Array(key.utf8)) == hash, "murmur2(\(key))")
            #expect(Partitioner.partition(forKey: Array(key.utf8), partitionCount: 6) == Int32((hash & 0x7FFF_FFFF) % 6))
        }
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        let topic = try store.createTopic("keyed", partitions: 6)
        let (partition, _) = try await topic.append([Record(key: Array("foobar".utf8), value: [1])])
        #expect(partition == Int32((3_504_634_814 & 0x7FFF_FFFF) % 6))
        #expect(try topic.partition(partition).readRecords(from: 0).count == 1)
        try store.close()
    }

    @Test func consumerResumesFromCommittedOffsetsAfterReopen() async throws {
        let directory = TemporaryDirectory()
        do {
            let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
            let topic = try store.createTopic("events", partitions: 2)
            for index in 0..<50 {
                try await topic.append([Record(value: Array("e\(index)".utf8))], partition: Int32(index % 2))
            }
            let consumer = try store.consumer(group: "g1", topic: "events")
            let first = try await consumer.poll(maxRecords: 30)
            #expect(first.count == 30)
            try await consumer.commit(metadata: "after-30")
            try store.close()
        }
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        let committed = store.cursors.committedOffsets(group: "g1")
        #expect(committed.values.reduce(0) { $0 + $1.offset } == 30)
        #expect(committed.values.allSatisfy { $0.metadata == "after-30" })
        let consumer = try store.consumer(group: "g1", topic: "events")
        let rest = try await consumer.poll(maxRecords: 100)
        #expect(rest.count == 20)
        let seen = Set(rest.map { "\($0.partition)/\($0.offset)" })
        #expect(seen.count == 20)
        for record in rest {
            #expect(record.offset >= committed[TopicPartition(topic: "events", partition: record.partition)]!.offset)
        }
        // A new group starts at the beginning, or at the end with .latest.
        #expect(try await store.consumer(group: "g2", topic: "events").poll(maxRecords: 100).count == 50)
        #expect(try await store.consumer(group: "g3", topic: "events", reset: .latest).poll().isEmpty)
        try store.close()
    }

    @Test func pollWaitsForAnAppendInsteadOfSpinning() async throws {
        let directory = TemporaryDirectory()
        let store = try Store(directory: directory.path, defaultConfig: Self.config(), retentionCheckInterval: nil)
        let topic = try store.createTopic("live", partitions: 4)
        let consumer = try store.consumer(group: "g", topic: "live", reset: .latest)
        let start = ContinuousClock.now
        #expect(try await consumer.poll(timeout: .milliseconds(50)).isEmpty)
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        async let polled = consumer.poll(timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(30))
        try await topic.append([Record(value: [42])], partition: 3)
        let records = try await polled
        #expect(records.map(\.value) == [[42][...]])
        #expect(records.first?.partition == 3)
        try store.close()
    }

    @Test func cursorGroupNamesWithAnyCharacters() throws {
        let directory = TemporaryDirectory()
        let name = "team/α β:%.."
        do {
            let cursors = try CursorStore(directory: directory.child("cursors"))
            try cursors.commit(group: name, offsets: [TopicPartition(topic: "t", partition: 0): CommittedOffset(offset: 7, metadata: "m")])
            try cursors.commit(group: name, offsets: [TopicPartition(topic: "t", partition: 1): CommittedOffset(offset: 9)])
        }
        let cursors = try CursorStore(directory: directory.child("cursors"))
        #expect(cursors.groupNames == [name])
        #expect(cursors.committed(group: name, TopicPartition(topic: "t", partition: 0)) == CommittedOffset(offset: 7, metadata: "m"))
        #expect(cursors.committed(group: name, TopicPartition(topic: "t", partition: 1))?.offset == 9)
    }

    @Test func cursorKeepsLeaderEpochAndReadsFilesWithout() throws {
        let directory = TemporaryDirectory()
        let partition = TopicPartition(topic: "t", partition: 0)
        do {
            let cursors = try CursorStore(directory: directory.child("cursors"))
            try cursors.commit(group: "new", offsets: [partition: CommittedOffset(offset: 5, metadata: "x", leaderEpoch: 3)])
        }
        // A file as written before leader epochs were kept.
        let old = #"{"group":"old","offsets":[{"metadata":"","offset":9,"partition":0,"topic":"t"}],"version":1}"#
        #expect(FileManager.default.createFile(atPath: directory.child("cursors/old.json"), contents: Data(old.utf8)))
        let cursors = try CursorStore(directory: directory.child("cursors"))
        #expect(cursors.committed(group: "new", partition) == CommittedOffset(offset: 5, metadata: "x", leaderEpoch: 3))
        #expect(cursors.committed(group: "old", partition) == CommittedOffset(offset: 9))
    }

    @Test func corruptCursorFileIsATypedError() throws {
        let directory = TemporaryDirectory()
        do {
            let cursors = try CursorStore(directory: directory.child("cursors"))
            try cursors.commit(group: "g", offsets: [TopicPartition(topic: "t", partition: 0): CommittedOffset(offset: 1)])
        }
        overwrite(directory.child("cursors/g.json"), at: 0, with: Array("garbage".utf8))
        #expect(throws: BasaltError.self) { try CursorStore(directory: directory.child("cursors")) }
    }
}
