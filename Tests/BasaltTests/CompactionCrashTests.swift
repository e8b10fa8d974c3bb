import BasaltCrashWriter
import Foundation
import Glibc
import BasaltTesting
import Testing
@testable import Basalt

/// `kill -9` at every step of a clean: the swap of cleaned segments is crash-safe.
///
/// The test writes a compacted topic's history (half of it cleaned once already, so the
/// child also groups small cleaned segments), closes it, and counts the write-side calls
/// a forced clean makes in a `BasaltCrashWriter compact` child. Then, for every call
/// number k, a fresh copy of the directory goes to a child that kills itself with
/// SIGKILL just before call k, and the test reopens the log and checks that: it opens;
/// no `.cleaned` or `.swap` file is left; the log end offset is unchanged; every record
/// is one that was written at that offset; the key → latest value map equals the
/// history's; and a clean afterwards works and keeps all of that true.
@Suite(.serialized) struct CompactionCrashTests {
    /// The history appended to `directory`, cleaned once half-way; returns every record
    /// by offset and the latest record of each key.
    static func writeHistory(_ directory: String) async throws
        -> (all: [Int64: LogCleanerTests.Replayed], end: Int64) {
        let log = try PartitionLog(directory: directory, config: CompactionCrash.config)
        var all: [Int64: LogCleanerTests.Replayed] = [:]
        for (index, batch) in CompactionCrash.history.enumerated() {
            let records = batch.map { Record(key: CompactionCrash.key($0.key), value: $0.value) }
            let result = try await log.append(records, compression: index % 3 == 0 ? .lz4 : .none)
            for (position, record) in records.enumerated() {
                let offset = result.baseOffset + Int64(position)
                all[offset] = .init(offset: offset, key: record.key, value: record.value)
            }
            if index == CompactionCrash.history.count / 2 {
                try log.roll()
                try LogCleaner().clean(log, force: true)
            }
        }
        try log.roll()
        let end = log.logEndOffset
        try log.close()
        return (all, end)
    }

    static func check(_ log: PartitionLog, all: [Int64: LogCleanerTests.Replayed], end: Int64, context: String) throws {
        #expect(log.logEndOffset == end, "\(context)")
        let records = try LogCleanerTests.replay(log)
        for record in records {
            #expect(all[record.offset] == record, "\(context): \(record) was not written at that offset")
        }
        let expected = LogCleanerTests.latest(all.keys.sorted().map { all[$0]! }).filter { $0.value.value != nil }
        #expect(LogCleanerTests.latest(records).filter { $0.value.value != nil } == expected, "\(context)")
    }

    static func leftovers(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(CompactionSwap.cleanedSuffix) || $0.hasSuffix(CompactionSwap.swapSuffix) }
    }

    /// Runs the child on `directory`; returns its `done <calls>` count, or nil when it
    /// was killed by SIGKILL.
    static func runChild(_ writer: String, directory: String, killAt: Int, scratch: String) throws -> Int? {
        let output = scratch + "/child.out"
        let errors = scratch + "/child.err"
        let pid = try CrashTests.spawn(writer, arguments: ["compact", directory, String(killAt)], stdout: output, stderr: errors)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        if signal == SIGKILL { return nil }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        guard signal == 0, (status >> 8) & 0xFF == 0, text.hasPrefix("done "),
              let calls = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            Issue.record("child exited with status \(status): \(stderr)")
            return -1
        }
        return calls
    }

    @Test func killAtEveryStepOfACleanLeavesOldOrNewSegments() async throws {
        let writer = try #require(CrashTests.locateWriter(), "BasaltCrashWriter not found; run `swift build --build-tests`")
        let root = TemporaryDirectory("basalt-compaction-crash")
        let pristine = root.child("pristine")
        let (all, end) = try await Self.writeHistory(pristine)

        let counting = root.child("count")
        try FileManager.default.copyItem(atPath: pristine, toPath: counting)
        let calls = try #require(try Self.runChild(writer, directory: counting, killAt: 0, scratch: root.path))
        #expect(calls > 20, "a clean of a dozen segments makes more write-side calls than \(calls)")
        // The clean ran to its end: the result is compacted.
        let cleaned = try PartitionLog(directory: counting, config: CompactionCrash.config)
        try Self.check(cleaned, all: all, end: end, context: "no kill")
        #expect(try LogCleanerTests.replay(cleaned).count < all.count / 3)
        try cleaned.close()

        var sawOld = 0
        var sawNew = 0
        for killAt in 1...calls {
            let context = "kill before write-side call \(killAt) of \(calls)"
            let directory = root.child("run-\(killAt)")
            try FileManager.default.copyItem(atPath: pristine, toPath: directory)
            let outcome = try Self.runChild(writer, directory: directory, killAt: killAt, scratch: root.path)
            #expect(outcome == nil, "\(context): the child was not killed")
            let log: PartitionLog
            do {
                log = try PartitionLog(directory: directory, config: CompactionCrash.config)
            } catch {
                Issue.record("\(context): the log did not open: \(error)")
                continue
            }
            let left = try Self.leftovers(directory)
            #expect(left.isEmpty, "\(context): \(left)")
            try Self.check(log, all: all, end: end, context: context)
            if try LogCleanerTests.replay(log).count < all.count / 3 { sawNew += 1 } else { sawOld += 1 }
            try LogCleaner().clean(log, force: true)
            try Self.check(log, all: all, end: end, context: "\(context), cleaned again")
            try log.close()
            try FileManager.default.removeItem(atPath: directory)
        }
        // Kills before the commit leave the old segments, kills after it the new ones.
        #expect(sawOld > 0 && sawNew > 0, "old \(sawOld), new \(sawNew)")
    }

    /// An I/O error (EIO once, or a full disk until healed) at every write-side call of a
    /// clean, in-process: the clean throws or completes; either way the open log still
    /// reads the same key → latest value map at the same offsets, takes an append once
    /// healed (or refuses every append until reopened, after an error past the commit),
    /// and reopens with the same contents and no leftover files.
    @Test func ioErrorAtEveryStepOfACleanLosesNothing() async throws {
        let root = TemporaryDirectory("basalt-compaction-faults")
        let pristine = root.child("pristine")
        let (all, end) = try await Self.writeHistory(pristine)
        let counting = root.child("count")
        try FileManager.default.copyItem(atPath: pristine, toPath: counting)
        let countingIO = FaultInjectingFileIO()
        let counted = try PartitionLog(directory: counting, config: CompactionCrash.config, io: countingIO)
        let before = countingIO.callCount
        try LogCleaner().clean(counted, force: true)
        let calls = countingIO.callCount - before
        try counted.close()
        #expect(calls > 20)

        let faults: [(FaultInjectingFileIO.Fault, FaultInjectingFileIO.Mode)] = [
            (.error(.io), .once), (.error(.noSpace), .untilHealed(FaultInjectingFileIO.diskFull)),
        ]
        for (fault, mode) in faults {
            for call in 1...calls {
                let context = "\(fault) at call \(call) of \(calls)"
                let directory = root.child("run")
                try? FileManager.default.removeItem(atPath: directory)
                try FileManager.default.copyItem(atPath: pristine, toPath: directory)
                let io = FaultInjectingFileIO()
                let log = try PartitionLog(directory: directory, config: CompactionCrash.config, io: io)
                io.inject(fault, atCall: io.callCount + call, mode: mode)
                do {
                    try LogCleaner().clean(log, force: true)
                } catch is BasaltError {
                } catch {
                    Issue.record("\(context): \(error)")
                }
                io.heal()
                try Self.check(log, all: all, end: end, context: context)
                do {
                    try await log.append([Record(key: CompactionCrash.key(0), value: [1])])
                    try log.close()
                } catch is BasaltError {
                    // Stopped after an error past the commit: reopening completes the swap.
                }
                let reopened = try PartitionLog(directory: directory, config: CompactionCrash.config)
                #expect(try Self.leftovers(directory).isEmpty, "\(context)")
                let records = try LogCleanerTests.replay(reopened).filter { $0.offset < end }
                for record in records { #expect(all[record.offset] == record, "\(context)") }
                let expected = LogCleanerTests.latest(all.keys.sorted().map { all[$0]! }).filter { $0.value.value != nil }
                #expect(LogCleanerTests.latest(records).filter { $0.value.value != nil } == expected, "\(context)")
                try reopened.close()
            }
        }
    }
}
