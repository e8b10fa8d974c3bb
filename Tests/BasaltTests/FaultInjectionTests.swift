import BasaltTesting
import Glibc
import Testing
@testable import Basalt

/// I/O errors at every write-side call of a fixed workload, SQLite-style.
///
/// A clean run through ``FaultInjectingFileIO`` counts the workload's write-side calls
/// (N). Then, for every k in 1...N, a fresh log runs the same workload with a fault at
/// call k, and the test checks that:
/// - every append either succeeds at the next offset or throws a ``BasaltError``;
/// - the log shows exactly the acknowledged batches: none lost, none of the failed ones;
/// - once the fault is over, appends work again at the next offset, or every append
///   throws the same error (a log that stopped itself until it is reopened);
/// - closed or dropped, the log reopens with ``SystemFileIO`` holding exactly the
///   acknowledged batches, is structurally valid, takes appends, and closes cleanly.
///
/// Faults last one call (`once`) or until healed (a full disk that later gets room, a
/// failing disk that comes back); short writes and partial writes hit `pwrite` calls.
@Suite struct FaultInjectionTests {
    static let clockMs: Int64 = 1_700_000_000_000

    static func config(_ durability: Durability) -> LogConfig {
        var config = LogConfig()
        config.segmentBytes = 4096
        config.indexIntervalBytes = 256
        config.maxIndexBytes = 4096
        config.retentionMs = -1
        config.durability = durability
        return config
    }

    struct Step: Sendable {
        let records: [Record]
        let compression: CompressionCodec
    }

    /// 16 batches of 1–5 records of 40–330 bytes, every third LZ4: about 3 segment rolls
    /// at 4 KiB segments.
    static let workload: [Step] = (0..<16).map { step(seed: 0xFA17, index: $0) }

    /// The batch appended after the workload to check that the log still takes appends.
    static let probe = step(seed: 0x9B0B, index: 99)

    static func step(seed: UInt64, index: Int) -> Step {
        var random = SeededGenerator(seed: seed &+ UInt64(index))
        let count = Int.random(in: 1...5, using: &random)
        let records = (0..<count).map { position in
            let size = Int.random(in: 40...320, using: &random)
            let value = Array("b\(index)r\(position):".utf8) + (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
            let headers = position == 0 ? [RecordHeader(key: "batch", value: Array("\(index)".utf8))] : []
            return Record(key: Array("key-\(index)-\(position)".utf8), value: value, headers: headers,
                          timestamp: clockMs + Int64(index * 10 + position))
        }
        return Step(records: records, compression: index % 3 == 1 ? .lz4 : .none)
    }

    /// What one run of the workload did.
    struct Outcome {
        /// Acknowledged appends with the records they held, in offset order.
        var acknowledged: [(result: AppendResult, records: [Record])] = []
        /// Appends that threw: workload step and error.
        var failed: [(step: Int, error: BasaltError)] = []
        /// The error every append throws once the log stopped itself.
        var stickyError: BasaltError?
        /// Write-side calls made before `close()` was called.
        var callsBeforeClose = 0
        /// Whether the first open failed.
        var openFailed = false
        var closeError: BasaltError?
        /// Whether the disk still failed every write when the run ended, so the log could
        /// not cut a failed append's batch back out of the file.
        var diskNeverHealed = false

        var nextOffset: Int64 { acknowledged.last.map { $0.result.lastOffset + 1 } ?? 0 }

        /// The acknowledged records with their offsets.
        var expectedRecords: [(offset: Int64, record: Record)] {
            acknowledged.flatMap { entry in
                entry.records.enumerated().map { (entry.result.baseOffset + Int64($0.offset), $0.element) }
            }
        }
    }

    // MARK: - Tests

    @Test(arguments: [Durability.everyAppend, .os])
    func faultOnceAtEveryWriteCall(durability: Durability) async throws {
        try await faultAtEveryCall(durability: durability, persistent: false)
    }

    @Test(arguments: [Durability.everyAppend, .os])
    func faultUntilHealedFromEveryWriteCall(durability: Durability) async throws {
        try await faultAtEveryCall(durability: durability, persistent: true)
    }

    /// The seam itself: numbering, one-shot and persistent faults, short and partial writes.
    @Test func seamNumbersCallsAndInjectsFaults() throws {
        let directory = TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let path = directory.child("f")
        let descriptor = try io.open(path, flags: O_RDWR | O_CREAT, mode: 0o644)
        defer { io.close(descriptor) }
        let bytes: [UInt8] = Array(0..<10)
        io.inject(.shortWrite, atCall: 2)
        let written = try bytes.withUnsafeBytes { try io.pwrite(descriptor, $0, at: 0) }
        #expect(written == 5)
        #expect(readFile(path) == Array(0..<5))
        io.inject(.partialWriteThenError(.noSpace), atCall: 3)
        #expect(throws: Errno.noSpace) { try bytes.withUnsafeBytes { try io.pwrite(descriptor, $0, at: 5) } }
        #expect(readFile(path) == Array(0..<5) + Array(0..<5))
        io.inject(.error(.io), atCall: 5, mode: .untilHealed([.fdatasync]))
        try io.fdatasync(descriptor)  // call 4 succeeds
        #expect(throws: Errno.io) { try io.fdatasync(descriptor) }  // call 5 fires
        #expect(throws: Errno.io) { try io.fdatasync(descriptor) }  // still failing
        try io.ftruncate(descriptor, length: 3)  // not an affected operation
        #expect(io.isFailing)
        io.heal()
        try io.fdatasync(descriptor)
        #expect(!io.isFailing)
        #expect(io.callCount == 8)
        #expect(io.calls.map(\.operation) == [.create, .pwrite, .pwrite, .fdatasync, .fdatasync, .fdatasync, .ftruncate, .fdatasync])
        #expect(io.calls[1].length == 10 && io.calls[1].path == path)
        #expect(io.faultedCalls.map(\.number) == [2, 3, 5, 6])
        #expect(fileSize(path) == 3)
    }

    /// A roll whose new segment could not be created (ENOSPC on its index) leaves part
    /// of that segment on disk under the log end offset. A later batch small enough for
    /// the old segment must not be written there, past that base, or the directory no
    /// longer opens ("segment ends at offset …, the next one starts at …").
    @Test func failedRollThenSmallBatchStillReopens() async throws {
        let directory = TemporaryDirectory("basalt-fault")
        let path = directory.child("log")
        let io = FaultInjectingFileIO(skipsSyncs: true)
        let log = try PartitionLog(directory: path, config: Self.config(.os), io: io, clock: { Self.clockMs })
        let big = [Record(key: nil, value: [UInt8](repeating: 1, count: 2500), timestamp: Self.clockMs)]
        let small = [Record(key: nil, value: [UInt8](repeating: 2, count: 100), timestamp: Self.clockMs)]
        try await log.append(big)
        // The roll's calls: unlink .index, unlink .timeindex, create .log, ftruncate .log,
        // create .index, allocate .index ← ENOSPC.
        let allocate = io.callCount + 6
        io.inject(.error(.noSpace), atCall: allocate)
        await #expect(throws: BasaltError.self) { try await log.append(big) }
        #expect(io.faultedCalls.map(\.operation) == [.allocate])
        let next = try await log.append(small)
        #expect(next.baseOffset == 1)
        let reopened = try PartitionLog(directory: path, config: Self.config(.os), clock: { Self.clockMs })
        #expect(reopened.logEndOffset == 2)
        #expect(try LogAudit.allRecords(reopened).map { $0.value.map(Array.init) } == [big[0].value, small[0].value])
        #expect(LogAudit.problems(reopened) == [])
        try reopened.close()
    }

    /// Under `everyAppend`, an append whose `fdatasync` failed throws `flushFailed`
    /// ("unflushed appends were rolled back"). When the disk fails the rollback's
    /// `ftruncate` too, the batch stays in the file; once the disk works again, closing
    /// (or the next append) must finish the rollback rather than make the batch part of
    /// the log.
    @Test func failedSyncWhoseRollbackFailsIsNotKept() async throws {
        let directory = TemporaryDirectory("basalt-fault")
        let path = directory.child("log")
        let io = FaultInjectingFileIO(skipsSyncs: true)
        let config = Self.config(.everyAppend)
        let log = try PartitionLog(directory: path, config: config, io: io, clock: { Self.clockMs })
        let first = try await log.append(Self.workload[0].records)
        // pwrite, then fdatasync ← EIO, and every call after it (the rollback's ftruncate).
        io.inject(.error(.io), atCall: io.callCount + 2, mode: .untilHealed)
        await #expect(throws: BasaltError.self) { try await log.append(Self.workload[1].records) }
        io.heal()
        // Either the log finishes the rollback and takes this append at the next offset,
        // or it stays stopped until reopened.
        let third = try? await log.append(Self.workload[2].records)
        if let third { #expect(third.baseOffset == first.lastOffset + 1) }
        let end = third.map { $0.lastOffset + 1 } ?? first.lastOffset + 1
        #expect(log.logEndOffset == end)
        try? log.close()
        let reopened = try PartitionLog(directory: path, config: config, clock: { Self.clockMs })
        let expected = Self.workload[0].records + (third == nil ? [] : Self.workload[2].records)
        let read = try LogAudit.allRecords(reopened)
        #expect(reopened.logEndOffset == end, "the append that threw flushFailed is in the log")
        #expect(read.count == expected.count && zip(read, expected).allSatisfy { LogAudit.matches($0, $1) })
        try reopened.close()
    }

    // MARK: - Driver

    func faultAtEveryCall(durability: Durability, persistent: Bool) async throws {
        let directory = TemporaryDirectory("basalt-fault")
        let counting = FaultInjectingFileIO(skipsSyncs: true)
        let clean = await Self.drive(io: counting, path: directory.child("count"), durability: durability,
                                     healAfterFailures: nil, close: true, context: "counting run")
        #expect(clean.failed.isEmpty && !clean.openFailed && clean.closeError == nil)
        let calls = counting.calls
        // Open, 17 appends, 3 rolls, close: 70 to 90 calls.
        #expect(calls.count > 60)
        var stickyRuns = 0
        for call in calls {
            let (fault, mode) = Self.fault(for: call, persistent: persistent)
            let io = FaultInjectingFileIO(skipsSyncs: true)
            io.inject(fault, atCall: call.number, mode: mode)
            let path = directory.child("k\(call.number)")
            // Faults in close need close; the others alternate between close and drop.
            let close = call.number > clean.callsBeforeClose || call.number % 2 == 0
            let lasting = switch mode {
            case .once: "once"
            case .untilHealed(let operations): operations == FaultInjectingFileIO.diskFull ? "until healed (disk full)" : "until healed (every call)"
            }
            let context = "\(durability), \(fault) \(lasting) at \(call), \(close ? "closed" : "dropped")"
            let outcome = await Self.drive(io: io, path: path, durability: durability,
                                           healAfterFailures: persistent ? 2 : nil, close: close, context: context)
            #expect(io.faultedCalls.first?.number == call.number, "fault never fired: \(context)")
            if let sticky = outcome.stickyError {
                stickyRuns += 1
                if getenv("BASALT_FAULT_VERBOSE") != nil { print("stopped: \(context): \(sticky)") }
            }
            await Self.checkReopen(path: path, durability: durability, outcome: outcome, context: context)
            if Directory.exists(path) { try Directory.removeTree(path) }
        }
        // Most faults must not stop the log for good.
        #expect(stickyRuns < calls.count / 2, "\(stickyRuns) of \(calls.count) runs left the log stopped")
    }

    static func fault(for call: FaultInjectingFileIO.Call, persistent: Bool) -> (FaultInjectingFileIO.Fault, FaultInjectingFileIO.Mode) {
        let k = call.number
        if persistent {
            switch k % 3 {
            case 0: return (.error(.noSpace), .untilHealed(FaultInjectingFileIO.diskFull))
            case 1: return (.error(.io), .untilHealed)
            default:
                return call.operation == .pwrite
                    ? (.partialWriteThenError(.noSpace), .untilHealed(FaultInjectingFileIO.diskFull))
                    : (.error(.noSpace), .untilHealed)
            }
        }
        if call.operation == .pwrite {
            let faults: [FaultInjectingFileIO.Fault] = [.error(.noSpace), .error(.io), .shortWrite, .partialWriteThenError(.io)]
            return (faults[k % faults.count], .once)
        }
        return (k % 2 == 0 ? .error(.noSpace) : .error(.io), .once)
    }

    /// Runs the workload on a fresh log in `path` and checks the live log as it goes.
    static func drive(
        io: FaultInjectingFileIO, path: String, durability: Durability, healAfterFailures: Int?, close: Bool,
        context: String
    ) async -> Outcome {
        var outcome = Outcome()
        var log: PartitionLog
        do {
            log = try PartitionLog(directory: path, config: config(durability), io: io, clock: { clockMs })
        } catch {
            #expect(error is BasaltError, "open threw an untyped error \(error): \(context)")
            outcome.openFailed = true
            io.heal()
            do {
                log = try PartitionLog(directory: path, config: config(durability), io: io, clock: { clockMs })
            } catch {
                Issue.record("open after a failed open threw \(error): \(context)")
                return outcome
            }
        }
        for (index, step) in (workload + [probe]).enumerated() {
            // Heal once the fault fired: before the probe, or after `healAfterFailures`
            // failed appends. Healing earlier would disarm a fault meant for a later call.
            if !io.faultedCalls.isEmpty,
               index == workload.count || (healAfterFailures.map { outcome.failed.count >= $0 } ?? false) {
                io.heal()
            }
            let faultIsOver = !io.faultedCalls.isEmpty && !io.isFailing
            do {
                let result = try await log.append(step.records, compression: step.compression)
                #expect(outcome.stickyError == nil, "append succeeded after the log stopped itself: \(context)")
                #expect(result.baseOffset == outcome.nextOffset, "append landed at \(result.baseOffset), expected \(outcome.nextOffset): \(context)")
                #expect(result.lastOffset == result.baseOffset + Int64(step.records.count - 1), "\(context)")
                outcome.acknowledged.append((result, step.records))
            } catch let error as BasaltError {
                outcome.failed.append((index, error))
                if let sticky = outcome.stickyError {
                    #expect(error == sticky, "a stopped log threw \(error), before \(sticky): \(context)")
                } else if faultIsOver {
                    // The fault is over but the append failed: the log stopped itself and
                    // must say so the same way from now on.
                    outcome.stickyError = error
                }
            } catch {
                Issue.record("append threw an untyped error \(error): \(context)")
            }
        }
        // (a) and (b): exactly the acknowledged records are readable, each at its offset.
        checkContents(log, outcome: outcome, context: "live log, \(context)")
        for entry in outcome.acknowledged {
            for offset in [entry.result.baseOffset, entry.result.lastOffset] {
                let first = try? log.readRecords(from: offset, maxBytes: 1).first
                #expect(first?.offset == offset, "lookup of offset \(offset) in the live log: \(context)")
            }
        }
        outcome.callsBeforeClose = io.callCount
        outcome.diskNeverHealed = io.isFailing
        if close {
            do {
                try log.close()
            } catch let error as BasaltError {
                outcome.closeError = error
            } catch {
                Issue.record("close threw an untyped error \(error): \(context)")
            }
        }
        return outcome
    }

    /// (d): reopened with the system seam, the log holds exactly the acknowledged
    /// records, is valid, continues at the next offset and closes cleanly.
    static func checkReopen(path: String, durability: Durability, outcome: Outcome, context: String) async {
        let config = config(durability)
        var outcome = outcome
        do {
            let log = try PartitionLog(directory: path, config: config, clock: { clockMs })
            // When the disk failed every write until the end, the cut-back of the last
            // failed append could not be written: its complete, valid batch may come back
            // after reopen, as a failed produce may have been written. Nothing else may.
            if outcome.diskNeverHealed, log.logEndOffset > outcome.nextOffset, let last = outcome.failed.last {
                let records = (workload + [probe])[last.step].records
                let result = AppendResult(baseOffset: outcome.nextOffset,
                                          lastOffset: outcome.nextOffset + Int64(records.count) - 1, maxTimestamp: 0)
                outcome.acknowledged.append((result, records))
            }
            checkContents(log, outcome: outcome, context: "reopened, \(context)")
            for problem in LogAudit.problems(log) { Issue.record("reopened log: \(problem): \(context)") }
            let result = try await log.append(probe.records, compression: probe.compression)
            #expect(result.baseOffset == outcome.nextOffset, "append after reopen: \(context)")
            try log.close()
            let again = try PartitionLog(directory: path, config: config, clock: { clockMs })
            #expect(again.openReport.wasClean, "\(context)")
            #expect(again.logEndOffset == outcome.nextOffset + Int64(probe.records.count), "\(context)")
            try again.close()
        } catch {
            Issue.record("reopen failed with \(error): \(context)")
        }
    }

    static func checkContents(_ log: PartitionLog, outcome: Outcome, context: String) {
        let expected = outcome.expectedRecords
        #expect(log.logEndOffset == outcome.nextOffset, "log end offset \(log.logEndOffset), acknowledged up to \(outcome.nextOffset): \(context)")
        do {
            let visible = try LogAudit.allRecords(log)
            #expect(visible.count == expected.count, "\(visible.count) records visible, \(expected.count) acknowledged: \(context)")
            for (seen, wanted) in zip(visible, expected) where seen.offset != wanted.offset || !LogAudit.matches(seen, wanted.record) {
                Issue.record("offset \(seen.offset) holds the wrong record (expected offset \(wanted.offset)): \(context)")
                break
            }
        } catch {
            Issue.record("reading the log threw \(error): \(context)")
        }
    }
}

/// Checks shared by the fault, recovery and crash tests.
enum LogAudit {
    /// Every record from the log start offset to the log end offset.
    static func allRecords(_ log: PartitionLog) throws -> [ConsumerRecord] {
        var records: [ConsumerRecord] = []
        var next = log.logStartOffset
        let end = log.logEndOffset
        while next < end {
            let chunk = try log.readRecords(from: next, maxBytes: 1 << 20)
            guard let last = chunk.last else { break }
            records += chunk
            next = last.offset + 1
        }
        return records
    }

    /// Whether a record read back is the record that was appended.
    static func matches(_ read: ConsumerRecord, _ record: Record) -> Bool {
        read.key.map(Array.init) == record.key && read.value.map(Array.init) == record.value
            && read.headers == record.headers && read.timestamp == record.timestamp
    }

    /// Structural problems of an open log, empty when it is valid: batches CRC-checked
    /// and contiguous from the log start offset to the log end offset, segments that
    /// abut, indexes that pass the full sanity check, segment sizes that match the files.
    static func problems(_ log: PartitionLog) -> [String] {
        var problems: [String] = []
        var expected = log.logStartOffset
        let end = log.logEndOffset
        do {
            while expected < end {
                let batches = try log.readBatches(from: expected, maxBytes: 1 << 20)
                guard !batches.isEmpty else {
                    problems.append("no batch holds offset \(expected) below the end \(end)")
                    break
                }
                for batch in batches {
                    if batch.header.baseOffset != expected {
                        problems.append("batch at offset \(batch.header.baseOffset), expected \(expected)")
                        return problems
                    }
                    expected = batch.header.nextOffset
                }
            }
            if expected != end { problems.append("batches end at \(expected), the log at \(end)") }
        } catch {
            problems.append("reading batches from \(expected) threw \(error)")
        }
        let segments = log.writer.withLock { $0.segments }
        for (index, segment) in segments.enumerated() {
            let next = index + 1 < segments.count ? segments[index + 1].baseOffset : end
            if segment.nextOffset != next {
                problems.append("segment \(segment.baseOffset) ends at \(segment.nextOffset), the next starts at \(next)")
            }
            do {
                try segment.sanityCheck(nextOffset: segment.nextOffset)
                let fileBytes = try segment.log.size()
                if fileBytes != segment.size {
                    problems.append("segment \(segment.baseOffset) has \(fileBytes) bytes on disk, \(segment.size) in memory")
                }
            } catch {
                problems.append("segment \(segment.baseOffset): \(error)")
            }
        }
        return problems
    }
}
