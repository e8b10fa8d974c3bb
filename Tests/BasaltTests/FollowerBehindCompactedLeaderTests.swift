import Testing
import BasaltTesting
@testable import Basalt

/// A follower that stopped copying partway and resumes after its leader compacted: its log
/// end now falls inside one of the leader's gap batches (a run of removed batches merged
/// into one empty batch), so the first batch it fetches starts before its log end.
@Suite struct FollowerBehindCompactedLeaderTests {
    @Test func aFollowerWhoseEndFallsInsideAGapBatchCatchesUp() async throws {
        let directory = TemporaryDirectory()
        let leader = try PartitionLog(directory: directory.child("leader/t-0"), config: LogCleanerTests.config())
        for round in 0..<120 {
            try await leader.append([Record(key: LogCleanerTests.key(round % 4), value: Array("v\(round)".utf8))])
        }
        let follower = try PartitionLog(directory: directory.child("t-0"), config: LogCleanerTests.config())
        while follower.logEndOffset < 37 {
            try await follower.appendAsFollower(
                try PartitionLogReplicationTests.fetch(leader, from: follower.logEndOffset, maxBytes: 100))
        }
        let stoppedAt = follower.logEndOffset
        try leader.roll()
        try LogCleaner().clean(leader)
        let compacted = try LogCleanerTests.replay(leader)
        #expect(compacted.count == 4)
        let straddling = try leader.readBatches(from: stoppedAt, maxBytes: 1 << 16).first?.header
        #expect(straddling.map { $0.baseOffset < stoppedAt && $0.recordsCount == 0 } == true,
                "the leader's batch at \(stoppedAt) is \(String(describing: straddling))")

        var fetches = 0
        while follower.logEndOffset < leader.logEndOffset && fetches < 100 {
            fetches += 1
            try await follower.appendAsFollower(
                try PartitionLogReplicationTests.fetch(leader, from: follower.logEndOffset, maxBytes: 700))
        }
        #expect(follower.logEndOffset == leader.logEndOffset)
        let copied = try LogCleanerTests.replay(follower)
        #expect(copied.filter { $0.offset >= stoppedAt } == compacted.filter { $0.offset >= stoppedAt })
        #expect(LogCleanerTests.latest(copied) == LogCleanerTests.latest(compacted))
        // Its own batches stay contiguous: the copied gap batch starts at its old end.
        let resumed = try follower.readBatches(from: stoppedAt, maxBytes: 1 << 16).first?.header
        #expect(resumed?.baseOffset == stoppedAt)
        try leader.close()
        try follower.close()

        // And the follower's log reopens (recovery checks every base offset) to the same end.
        let reopened = try PartitionLog(directory: directory.child("t-0"), config: LogCleanerTests.config())
        #expect(reopened.logEndOffset == leader.logEndOffset)
        #expect(try LogCleanerTests.replay(reopened) == copied)
        try reopened.close()
    }

    /// Only a batch without records or producer is trimmed; a straddling batch with records
    /// is still refused as an overlap.
    @Test func aStraddlingBatchWithRecordsIsStillRefused() async throws {
        let directory = TemporaryDirectory()
        let leader = try PartitionLog(directory: directory.child("leader/t-0"), config: LogCleanerTests.config())
        try await leader.append([Record(key: [1], value: [1]), Record(key: [2], value: [2]), Record(key: [3], value: [3])])
        let follower = try PartitionLog(directory: directory.child("t-0"), config: LogCleanerTests.config())
        try await follower.appendAsFollower(
            try RecordBatchEncoder.encode([Record(key: [1], value: [1])], partitionLeaderEpoch: 0, timestamp: 1_700_000_000_000))
        await #expect(throws: ReplicationError.self) {
            try await follower.appendAsFollower(try PartitionLogReplicationTests.fetch(leader, from: 1, maxBytes: 1 << 16))
        }
        #expect(follower.logEndOffset == 1)
        try leader.close()
        try follower.close()
    }
}
