import BasaltCrashWriter
import BasaltTesting
import Glibc
import Testing
@testable import Basalt

/// `kill -9` in the middle of topic changes: growth, settings changes and DeleteRecords.
///
/// Each round starts `BasaltCrashWriter --topic-changes` on the same store directory. It
/// loops over the three changes, printing `begin <kind> <value>` before each and
/// `done <kind> <value>` after. After a random 20–300 ms the test sends SIGKILL, opens the
/// store and checks, for each kind, that what is on disk is the last acknowledged value or
/// the one in progress: the partition count (and no directory of a partition the topic
/// file does not name), the retention size, and partition 0's log start offset (nothing
/// below it readable). Every partition then takes an append.
///
/// Rounds: `BASALT_TOPIC_CRASH_ROUNDS` (default 30); the kill times come from
/// `BASALT_CRASH_SEED` when set, else from the clock.
@Suite(.serialized) struct TopicChangeCrashTests {
    /// What the acknowledged changes say the store must hold, and the change in progress.
    struct Expected {
        var count: Int32 = 1
        var pendingCount: Int32?
        var retentionBytes: Int64 = TopicChangeWorkload.config.retentionBytes
        var pendingRetentionBytes: Int64?
        var start: Int64 = 0
        var pendingStart: Int64?

        mutating func apply(_ line: Substring) {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let value = Int64(fields[2]) else { return }
            let done = fields[0] == "done"
            switch fields[1] {
            case "grow":
                if done { count = Int32(value); pendingCount = nil } else { pendingCount = Int32(value) }
            case "config":
                if done { retentionBytes = value; pendingRetentionBytes = nil } else { pendingRetentionBytes = value }
            case "start":
                if done { start = value; pendingStart = nil } else { pendingStart = value }
            default:
                return
            }
        }
    }

    @Test func killDuringTopicChangesLeavesTheOldOrTheNewState() async throws {
        let rounds = CrashTests.environment("BASALT_TOPIC_CRASH_ROUNDS").flatMap { Int($0) } ?? 30
        let seed = CrashTests.environment("BASALT_CRASH_SEED").flatMap { UInt64($0) } ?? UInt64(WallClock.milliseconds())
        let writer = try #require(CrashTests.locateWriter(), "BasaltCrashWriter not found; build it with `swift build --build-tests`")
        var random = SeededGenerator(seed: seed)
        let root = TemporaryDirectory("basalt-topic-crash")
        let path = root.child("store")
        var expected = Expected()
        var changes = 0
        for round in 0..<rounds {
            let context = "seed \(seed), round \(round)"
            let output = root.child("round.out")
            let errors = root.child("round.err")
            let pid = try CrashTests.spawn(writer, arguments: ["--topic-changes", path, String(random.next())],
                                           stdout: output, stderr: errors)
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...300, using: &random)))
            #expect(kill(pid, SIGKILL) == 0, "\(context)")
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            if status & 0x7F != SIGKILL {
                let message = String(decoding: readFile(errors), as: UTF8.self)
                Issue.record("the child exited before the kill with status \(status >> 8): \(message) (\(context))")
                return
            }
            let lines = String(decoding: readFile(output), as: UTF8.self).split(separator: "\n")
            for line in lines { expected.apply(line) }
            changes += lines.filter { $0.hasPrefix("done") }.count

            let store: Store
            do {
                store = try Store(directory: path, defaultConfig: TopicChangeWorkload.config, retentionCheckInterval: nil)
            } catch {
                Issue.record("the store did not open after the kill: \(error) (\(context))")
                return
            }
            try await Self.check(store, directory: path, expected: &expected, context: context)
            try store.close()
        }
        #expect(changes > rounds, "only \(changes) changes acknowledged in \(rounds) rounds (seed \(seed))")
    }

    /// Checks `store` against `expected`, then makes what it found the new expectation.
    static func check(_ store: Store, directory: String, expected: inout Expected, context: String) async throws {
        guard let topic = try? store.topic("t") else {
            // Killed before the first creation finished: nothing was acknowledged yet.
            #expect(expected.count == 1 && expected.pendingCount == nil, "topic t missing (\(context))")
            return
        }
        let count = topic.partitionCount
        #expect(count == expected.count || count == expected.pendingCount,
                "\(count) partitions; acknowledged \(expected.count), in progress \(expected.pendingCount as Any) (\(context))")
        for name in try Directory.entries(directory) where name.hasPrefix("t-") {
            if let number = Int32(name.dropFirst(2)) {
                #expect(number < count, "directory \(name) left beside a topic of \(count) partitions (\(context))")
            }
        }
        let retention = topic.config.retentionBytes
        #expect(retention == expected.retentionBytes || retention == expected.pendingRetentionBytes,
                "retention \(retention); acknowledged \(expected.retentionBytes) (\(context))")

        let log = try topic.partition(0)
        let start = log.logStartOffset
        #expect(start == expected.start || start == expected.pendingStart,
                "log start \(start); acknowledged \(expected.start), in progress \(expected.pendingStart as Any) (\(context))")
        #expect(try log.readRecords(from: start, isolation: .logEnd).first.map { $0.offset == start } ?? (start == log.logEndOffset),
                "first readable record is not at the log start \(start) (\(context))")
        if start > 0 {
            #expect(throws: BasaltError.self, "offset \(start - 1) below the log start is readable (\(context))") {
                try log.readRecords(from: start - 1)
            }
        }
        for partition in 0..<count {
            let appended = try await topic.append([Record(key: nil, value: Array("probe".utf8))], partition: partition)
            #expect(try topic.partition(partition).readRecords(from: appended.result.baseOffset).first.map { Array($0.value ?? []) } == Array("probe".utf8),
                    "partition \(partition) (\(context))")
        }
        expected = Expected(count: count, retentionBytes: retention, start: start)
    }
}
