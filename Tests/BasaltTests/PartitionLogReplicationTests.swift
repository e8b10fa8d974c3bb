import Glibc
import Testing
@testable import Basalt
import BasaltTesting

/// Leader epochs, the follower append path and the high watermark of ``PartitionLog``.
@Suite struct PartitionLogReplicationTests {
    static func record(_ index: Int, size: Int = 20) -> Record { PartitionLogTests.record(index, size: size) }
    static func smallSegments(_ durability: Durability = .os) -> LogConfig { PartitionLogTests.smallSegments(durability) }

    /// The bytes of the batches a follower at `offset` would fetch from `leader`.
    static func fetch(_ leader: PartitionLog, from offset: Int64, maxBytes: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for slice in try leader.read(from: offset, maxBytes: maxBytes, isolation: .logEnd) {
            bytes += try slice.file.read(count: slice.length, at: slice.position)
        }
        return bytes
    }

    static func logFiles(_ directory: String) throws -> [String] {
        try Directory.entries(directory).filter { $0.hasSuffix(".log") }.sorted()
    }

    static func text(_ path: String) -> String { String(decoding: readFile(path), as: UTF8.self) }

    /// The leader stamps its epoch over whatever the client sent, outside the CRC.
    @Test func leaderAppendStampsTheLeaderEpoch() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        let log = try PartitionLog(directory: path, config: LogConfig())
        try await log.append([Self.record(0)])
        let becameLeader = try log.becomeLeader(epoch: 5)
        #expect(becameLeader)
        #expect(log.leaderEpoch == 5)
        var encoded = try RecordBatchEncoder.encode([Self.record(1), Self.record(2)], partitionLeaderEpoch: 77,
                                                    timestamp: 1_700_000_000_000)
        encoded.replaceSubrange(12..<16, with: [0xFF, 0xFF, 0xFF, 0xFF])
        try await log.append(encodedBatch: encoded)
        try await log.append([Self.record(3)])
        let repeated = try log.becomeLeader(epoch: 5)
        #expect(!repeated)
        let batches = try log.readBatches(from: 0, maxBytes: 1 << 20)
        #expect(batches.map(\.header.partitionLeaderEpoch) == [0, 5, 5])
        #expect(try log.readRecords(from: 0).map(\.offset) == [0, 1, 2, 3])
        #expect(Self.text(path + "/leader-epoch-checkpoint") == "0\n1\n5 1\n")
        #expect(log.endOffset(forLeaderEpoch: 5) == (5, 4))
        #expect(log.endOffset(forLeaderEpoch: 4) == (4, 1))
        try log.close()
    }

    /// Single-node mode writes no replication files and keeps the high watermark at the log end.
    @Test func singleNodeModeIsUnchanged() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        for durability in [Durability.everyAppend, .os, .interval(milliseconds: 50)] {
            try? Directory.removeTree(path)
            let log = try PartitionLog(directory: path, config: Self.smallSegments(durability))
            for index in 0..<30 {
                let result = try await log.append([Self.record(index, size: 300)])
                #expect(log.highWatermark == result.lastOffset + 1)
                #expect(log.highWatermark == log.logEndOffset)
            }
            #expect(!log.isReplicated)
            #expect(log.updateHighWatermark(3) == 30)
            #expect(try log.readRecords(from: 0, maxBytes: 1 << 20).count == 30)
            try log.close()
            let names = try Directory.entries(path)
            #expect(!names.contains("leader-epoch-checkpoint") && !names.contains("high-watermark"))
        }
    }

    /// Consumers read below the high watermark, followers to the log end; it never moves
    /// back, never passes the log end, and a restart starts from its checkpoint.
    @Test func highWatermarkBoundsConsumersAndSurvivesRestart() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        do {
            let log = try PartitionLog(directory: path, config: LogConfig())
            log.enableReplication()
            #expect(log.isReplicated)
            for index in 0..<5 { try await log.append([Self.record(2 * index), Self.record(2 * index + 1)]) }
            #expect(log.highWatermark == 0)
            #expect(try log.readRecords(from: 0).isEmpty)
            #expect(try log.read(from: 0, maxBytes: 1 << 20).isEmpty)
            #expect(try log.readRecords(from: 0, isolation: .logEnd).count == 10)
            #expect(log.updateHighWatermark(4) == 4)
            #expect(try log.readRecords(from: 0).map(\.offset) == [0, 1, 2, 3])
            // Inside a batch: that batch stays hidden until the high watermark passes its end.
            #expect(log.updateHighWatermark(5) == 5)
            #expect(try log.readRecords(from: 0).map(\.offset) == [0, 1, 2, 3])
            #expect(try log.readRecords(from: 4).isEmpty)
            #expect(log.updateHighWatermark(3) == 5)
            var next: [Int64] = []
            #expect(try log.forEachRecord(from: 0) { next.append($0.offset) } == 4)
            #expect(next == [0, 1, 2, 3])
            try log.checkpointHighWatermark()
            #expect(Self.text(path + "/high-watermark") == "0\n1\n5\n")
            #expect(log.updateHighWatermark(1_000) == 10)
            // No close: a crash after the checkpoint of 5.
        }
        do {
            let log = try PartitionLog(directory: path, config: LogConfig())
            log.enableReplication()
            #expect(log.highWatermark == 5)
            #expect(try log.readRecords(from: 0).map(\.offset) == [0, 1, 2, 3])
            #expect(log.updateHighWatermark(8) == 8)
            try log.close()
            #expect(Self.text(path + "/high-watermark") == "0\n1\n8\n")
        }
        // A checkpoint past the log end is never trusted.
        try AtomicFile.replace(path + "/high-watermark", with: Array("0\n1\n999\n".utf8), io: SystemFileIO())
        do {
            let log = try PartitionLog(directory: path, config: LogConfig())
            log.enableReplication()
            #expect(log.highWatermark == 10)
            try log.close()
        }
        try AtomicFile.replace(path + "/high-watermark", with: Array("0\n1\nten\n".utf8), io: SystemFileIO())
        #expect(throws: ReplicationError.corruptCheckpoint(file: path + "/high-watermark", line: 3,
                                                          reason: "expected 1 numbers separated by one space")) {
            _ = try PartitionLog(directory: path, config: LogConfig())
        }
    }

    /// A batch the leader took before `max.message.bytes` was lowered (AlterConfigs applies
    /// live) still replicates: the follower's current limit does not judge the leader's history.
    @Test func followerTakesBatchesLargerThanItsLoweredMessageLimit() async throws {
        let directory = TemporaryDirectory()
        let leader = try PartitionLog(directory: directory.child("leader/t-0"), config: LogConfig())
        try leader.becomeLeader(epoch: 1)
        try await leader.append((0..<4).map { Self.record($0, size: 2_000) })
        var lowered = LogConfig()
        lowered.maxMessageBytes = 1_024
        let follower = try PartitionLog(directory: directory.child("follower/t-0"), config: lowered)
        follower.enableReplication()
        let bytes = try Self.fetch(leader, from: 0, maxBytes: 1 << 20)
        #expect(bytes.count > lowered.maxMessageBytes)
        let result = try await follower.appendAsFollower(bytes)
        #expect(result.lastOffset == 3)
        follower.updateHighWatermark(leader.highWatermark)
        #expect(try follower.readRecords(from: 0).map(\.offset) == [0, 1, 2, 3])
        // A client's batch of that size is still refused by the lowered limit.
        await #expect(throws: BasaltError.self) { try await follower.append((0..<4).map { Self.record($0, size: 2_000) }) }
        try leader.close()
        try follower.close()
    }

    /// A follower fed the leader's bytes ends up with byte-identical segment files,
    /// across several rolls and two leader epochs, and the same epoch checkpoint.
    @Test func followerSegmentsAreByteIdenticalToTheLeaders() async throws {
        let directory = TemporaryDirectory()
        let leader = try PartitionLog(directory: directory.child("leader/t-0"), config: Self.smallSegments(.os))
        let follower = try PartitionLog(directory: directory.child("follower/t-0"), config: Self.smallSegments(.everyAppend))
        follower.enableReplication()
        try leader.becomeLeader(epoch: 1)
        var generator = SeededGenerator(seed: 42)
        for round in 0..<40 {
            if round == 25 { try leader.becomeLeader(epoch: 3) }
            let count = Int.random(in: 1...6, using: &generator)
            let base = Int(leader.logEndOffset)
            let records = (base..<(base + count)).map { Self.record($0, size: Int.random(in: 10...400, using: &generator)) }
            try await leader.append(records, compression: round % 3 == 0 ? .lz4 : .none)
            if round % 7 == 6 {
                // The follower catches up in fetches of a few batches each.
                while follower.logEndOffset < leader.logEndOffset {
                    let bytes = try Self.fetch(leader, from: follower.logEndOffset, maxBytes: 1_500)
                    let result = try await follower.appendAsFollower(bytes)
                    #expect(result.firstOffset <= result.lastOffset)
                    #expect(result.headers.first?.baseOffset == result.firstOffset)
                    follower.updateHighWatermark(leader.highWatermark)
                }
            }
        }
        while follower.logEndOffset < leader.logEndOffset {
            try await follower.appendAsFollower(try Self.fetch(leader, from: follower.logEndOffset, maxBytes: 10_000))
        }
        follower.updateHighWatermark(leader.highWatermark)
        #expect(follower.highWatermark == leader.logEndOffset)
        #expect(leader.segmentCount >= 4)
        #expect(follower.leaderEpochCache == leader.leaderEpochCache)
        #expect(follower.leaderEpochCache.entries.map(\.epoch) == [1, 3])
        #expect(try follower.readRecords(from: 0, maxBytes: 1 << 30).map(\.offset)
            == Array(0..<leader.logEndOffset))
        try leader.close()
        try follower.close()
        let leaderFiles = try Self.logFiles(directory.child("leader/t-0"))
        #expect(leaderFiles.count >= 4)
        #expect(try Self.logFiles(directory.child("follower/t-0")) == leaderFiles)
        for name in leaderFiles {
            #expect(readFile(directory.child("leader/t-0/" + name)) == readFile(directory.child("follower/t-0/" + name)), "\(name)")
        }
        #expect(readFile(directory.child("leader/t-0/leader-epoch-checkpoint"))
            == readFile(directory.child("follower/t-0/leader-epoch-checkpoint")))
        // Reopened, the follower has the same epochs and offsets.
        let reopened = try PartitionLog(directory: directory.child("follower/t-0"), config: Self.smallSegments())
        #expect(reopened.leaderEpochCache.entries.map(\.epoch) == [1, 3])
        #expect(try reopened.readRecords(from: 0, maxBytes: 1 << 30).count == Int(reopened.logEndOffset))
        try reopened.close()
    }

    /// Each rejection is typed, names the partition and offset, and writes nothing.
    @Test func followerAppendRejectsGapsOverlapsAndDamage() async throws {
        let directory = TemporaryDirectory()
        let leader = try PartitionLog(directory: directory.child("leader/t-0"), config: LogConfig())
        let path = directory.child("orders-3")
        let follower = try PartitionLog(directory: path, config: LogConfig())
        for index in 0..<4 { try await leader.append([Self.record(2 * index), Self.record(2 * index + 1)]) }
        let all = try Self.fetch(leader, from: 0, maxBytes: 1 << 20)
        let size = try all.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }.totalSize
        #expect(all.count == 4 * size)
        let first = Array(all[0..<size]), second = Array(all[size..<(2 * size)]), third = Array(all[(2 * size)..<(3 * size)])

        await #expect(throws: ReplicationError.nonContiguousBatch(partition: "orders-3", expectedOffset: 0, baseOffset: 2)) {
            try await follower.appendAsFollower(second)
        }
        await #expect(throws: ReplicationError.nonContiguousBatch(partition: "orders-3", expectedOffset: 2, baseOffset: 4)) {
            try await follower.appendAsFollower(first + third)
        }
        var damaged = first + second
        damaged[size + 70] ^= 0x01
        let stored = damaged[(size + 17)..<(size + 21)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let computed = CRC32C.checksum(Array(damaged[(size + 21)..<(2 * size)]))
        await #expect(throws: ReplicationError.invalidReplicaBatch(
            partition: "orders-3", offset: 2, position: size, cause: .crcMismatch(stored: stored, computed: computed))) {
            try await follower.appendAsFollower(damaged)
        }
        await #expect(throws: ReplicationError.invalidReplicaBatch(
            partition: "orders-3", offset: 2, position: size,
            cause: .invalidBatch(reason: "batch of \(size) bytes runs past the \(size - 1) bytes available"))) {
            try await follower.appendAsFollower(Array((first + second).dropLast()))
        }
        await #expect(throws: ReplicationError.invalidReplicaBatch(
            partition: "orders-3", offset: 0, position: 0,
            cause: .invalidBatch(reason: "30 bytes is shorter than the 61-byte batch header"))) {
            try await follower.appendAsFollower(Array(first[0..<30]))
        }
        #expect(follower.logEndOffset == 0)
        #expect(fileSize(path + "/" + SegmentFileName.name(0, "log")) == 0)

        let result = try await follower.appendAsFollower(first + second)
        #expect(result.firstOffset == 0 && result.lastOffset == 3 && result.headers.count == 2)
        await #expect(throws: ReplicationError.nonContiguousBatch(partition: "orders-3", expectedOffset: 4, baseOffset: 2)) {
            try await follower.appendAsFollower(second)
        }
        #expect(follower.logEndOffset == 4)
        try leader.close()
        try follower.close()
    }

    /// An epoch checkpoint entry past the recovered log end is dropped on open; a damaged
    /// checkpoint stops the open with an error naming it.
    @Test func epochCheckpointIsValidatedOnOpen() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        do {
            let log = try PartitionLog(directory: path, config: LogConfig())
            try log.becomeLeader(epoch: 1)
            for index in 0..<3 { try await log.append([Self.record(index)]) }
            try log.close()
        }
        try AtomicFile.replace(path + "/leader-epoch-checkpoint", with: Array("0\n3\n1 0\n2 3\n4 9\n".utf8), io: SystemFileIO())
        do {
            let log = try PartitionLog(directory: path, config: LogConfig())
            #expect(log.leaderEpochCache.entries == [.init(epoch: 1, startOffset: 0)])
            #expect(Self.text(path + "/leader-epoch-checkpoint") == "0\n1\n1 0\n")
            try log.close()
        }
        try AtomicFile.replace(path + "/leader-epoch-checkpoint", with: Array("0\n1\n1 0 \n".utf8), io: SystemFileIO())
        #expect(throws: ReplicationError.self) { _ = try PartitionLog(directory: path, config: LogConfig()) }
    }

    /// Raising the log start offset drops the epochs wholly below it and moves the one
    /// holding it, in memory and in the checkpoint.
    @Test func retentionTrimsLeaderEpochs() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        var config = Self.smallSegments()
        config.retentionMs = -1  // the records' timestamps are from 2023
        let log = try PartitionLog(directory: path, config: config)
        try log.becomeLeader(epoch: 1)
        for index in 0..<40 { try await log.append([Self.record(index, size: 200)]) }
        try log.becomeLeader(epoch: 2)
        for index in 40..<80 { try await log.append([Self.record(index, size: 200)]) }
        try log.deleteRecords(before: 20)
        #expect(log.leaderEpochCache.entries == [.init(epoch: 1, startOffset: 20), .init(epoch: 2, startOffset: 40)])
        try log.deleteRecords(before: 50)
        #expect(log.leaderEpochCache.entries == [.init(epoch: 2, startOffset: 50)])
        #expect(Self.text(path + "/leader-epoch-checkpoint") == "0\n1\n2 50\n")
        #expect(log.endOffset(forLeaderEpoch: 1) == (1, 50))
        try log.close()
    }

    /// A parked consumer fetch is woken by a high watermark advance, not by the append
    /// alone; a parked follower fetch by the follower append.
    @Test func highWatermarkAndFollowerAppendsWakeWaiters() async throws {
        let directory = TemporaryDirectory()
        let leader = try PartitionLog(directory: directory.child("leader/t-0"), config: LogConfig())
        let log = try PartitionLog(directory: directory.child("t-0"), config: LogConfig())
        log.enableReplication()
        try await leader.append([Self.record(0)])
        let start = ContinuousClock.now
        let follower = Task { await log.waitForData(after: 0, timeout: .seconds(600), isolation: .logEnd) }
        while log.signal.parkedWaiters < 1 { await Task.yield() }
        try await log.appendAsFollower(try Self.fetch(leader, from: 0, maxBytes: 1 << 20))
        #expect(await follower.value)
        let consumer = Task { await log.waitForData(after: 0, timeout: .seconds(600)) }
        while log.signal.parkedWaiters < 1 { await Task.yield() }
        log.updateHighWatermark(1)
        #expect(await consumer.value)
        // Woken, not timed out: the wait's timeout is 600 s. The margin is wide because a
        // loaded 2-core machine can delay a woken task by tens of seconds.
        #expect(ContinuousClock.now - start < .seconds(300))
        try leader.close()
        try log.close()
    }
}
