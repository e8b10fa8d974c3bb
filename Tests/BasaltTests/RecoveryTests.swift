import BasaltTesting
import Glibc
import Testing
@testable import Basalt

/// Opening a log whose files were cut, damaged or deleted: what ``LogLoader`` and
/// ``SegmentRecovery`` keep, what they truncate, and what they refuse.
///
/// Each case builds a small log with the real append path, copies its files into a fresh
/// directory with the damage applied, and opens that copy.
@Suite struct RecoveryTests {
    static let clockMs: Int64 = 1_700_000_000_000

    /// One 1 MiB segment (or `segmentBytes`), an index entry every 128 bytes.
    static func config(segmentBytes: Int = 1 << 20) -> LogConfig {
        var config = LogConfig()
        config.segmentBytes = segmentBytes
        config.indexIntervalBytes = 128
        config.maxIndexBytes = 4096
        config.durability = .os
        return config
    }

    /// The seam of every log these tests open: real files, but syncs are skipped, since
    /// nothing here cuts power and a sync per open would dominate the run time.
    static let io = FaultInjectingFileIO(skipsSyncs: true)

    static func open(_ path: String, segmentBytes: Int = 1 << 20) throws -> PartitionLog {
        try PartitionLog(directory: path, config: config(segmentBytes: segmentBytes), io: io, clock: { clockMs })
    }

    static func record(_ index: Int, size: Int = 40) -> Record {
        var random = SeededGenerator(seed: UInt64(index) &+ 0x5EED)
        let value = Array("value-\(index)-".utf8) + (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
        let headers = index % 3 == 0 ? [RecordHeader(key: "i", value: Array("\(index)".utf8))] : []
        return Record(key: Array("key-\(index)".utf8), value: value, headers: headers, timestamp: clockMs + Int64(index))
    }

    /// A log's files and where its batches are.
    struct Layout {
        let source: String
        /// The `.log` bytes of the (first) segment.
        let bytes: [UInt8]
        /// Byte positions where each batch starts and ends.
        let starts: [Int]
        let ends: [Int]
        /// The offset after each batch.
        let nextOffsets: [Int64]
        /// Every record, in offset order.
        let records: [Record]

        var logFileName: String { SegmentFileName.name(0, SegmentFileName.log) }

        /// The records before batch `batch`.
        func records(before batch: Int) -> [Record] {
            Array(records[..<Int(batch == 0 ? 0 : nextOffsets[batch - 1])])
        }
    }

    /// A one-segment log of three batches, closed cleanly: A (3 records, none),
    /// B (2 records, `middle`), C (4 records, `last`).
    static func threeBatches(in directory: TemporaryDirectory, middle: CompressionCodec = .lz4,
                             last: CompressionCodec = .none) async throws -> Layout {
        let source = directory.child("source")
        let records = (0..<9).map { record($0) }
        let log = try open(source)
        try await log.append(Array(records[0..<3]))
        try await log.append(Array(records[3..<5]), compression: middle)
        try await log.append(Array(records[5..<9]), compression: last)
        try log.close()
        let bytes = readFile(source + "/" + SegmentFileName.name(0, SegmentFileName.log))
        var starts: [Int] = []
        var ends: [Int] = []
        var nextOffsets: [Int64] = []
        var position = 0
        while position < bytes.count {
            let header = try Array(bytes[position...]).withUnsafeBytes { try RecordBatchHeader(parsing: $0) }
            starts.append(position)
            position += header.totalSize
            ends.append(position)
            nextOffsets.append(header.nextOffset)
        }
        #expect(nextOffsets == [3, 5, 9])
        return Layout(source: source, bytes: bytes, starts: starts, ends: ends, nextOffsets: nextOffsets, records: records)
    }

    /// Copies the files of `source` into a fresh `path`, skipping `except`.
    static func copy(_ source: String, to path: String, except: Set<String> = []) throws {
        if Directory.exists(path) { try Directory.removeTree(path) }
        #expect(mkdir(path, 0o755) == 0)
        for name in try Directory.entries(source) where !except.contains(name) {
            writeFile(path + "/" + name, readFile(source + "/" + name))
        }
    }

    /// A copy of a layout's directory whose log holds `logBytes`, with the clean-shutdown
    /// checkpoint (which then no longer matches) or without any.
    static func damagedCopy(_ layout: Layout, to path: String, logBytes: [UInt8], keepCheckpoint: Bool) throws {
        try copy(layout.source, to: path, except: keepCheckpoint ? [] : [PartitionCheckpoint.fileName])
        writeFile(path + "/" + layout.logFileName, logBytes)
    }

    /// Expects `log` to hold exactly `records` from offset 0, each readable on its own.
    static func expectRecords(_ log: PartitionLog, _ records: [Record], _ context: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(log.logEndOffset == Int64(records.count), "\(context)", sourceLocation: sourceLocation)
        do {
            let read = try LogAudit.allRecords(log)
            #expect(read.count == records.count, "\(context)", sourceLocation: sourceLocation)
            for (index, (got, wanted)) in zip(read, records).enumerated() where got.offset != Int64(index) || !LogAudit.matches(got, wanted) {
                Issue.record("offset \(index) holds the wrong record: \(context)", sourceLocation: sourceLocation)
                break
            }
        } catch {
            Issue.record("reading threw \(error): \(context)", sourceLocation: sourceLocation)
        }
    }

    /// Expects `body` to throw ``BasaltError/corruptLog(file:position:reason:)`` for
    /// exactly `file` and `position`.
    static func expectCorruptLog<R>(file: String, position: Int64, _ context: String,
                                    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> R) {
        do {
            _ = try body()
            Issue.record("no error, expected corruptLog at \(file):\(position): \(context)", sourceLocation: sourceLocation)
        } catch BasaltError.corruptLog(let thrownFile, let thrownPosition, let reason) {
            #expect(thrownFile == file && thrownPosition == position,
                    "corruptLog at \(thrownFile):\(thrownPosition) (\(reason)), expected \(file):\(position): \(context)",
                    sourceLocation: sourceLocation)
        } catch {
            Issue.record("threw \(error), expected corruptLog at \(file):\(position): \(context)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Torn tails

    /// Every length of a torn last batch, with a plain and an LZ4 batch; with the stale
    /// clean-shutdown checkpoint (the loader must notice the size) and without one.
    @Test(arguments: [CompressionCodec.none, .lz4])
    func tornLastBatchAtEveryLength(last: CompressionCodec) async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let layout = try await Self.threeBatches(in: directory, last: last)
        let start = layout.starts[2]
        let path = directory.child("cut")
        for cut in start..<layout.ends[2] {
            let context = "\(last) batch cut to \(cut - start) of \(layout.ends[2] - start) bytes"
            try Self.damagedCopy(layout, to: path, logBytes: Array(layout.bytes[..<cut]), keepCheckpoint: cut % 2 == 0)
            let log = try Self.open(path)
            #expect(!log.openReport.wasClean, "\(context)")
            #expect(log.openReport.truncatedBytes == Int64(cut - start), "\(context)")
            #expect(fileSize(path + "/" + layout.logFileName) == Int64(start), "\(context)")
            Self.expectRecords(log, layout.records(before: 2), context)
            let appended = try await log.append([Self.record(100)], compression: last)
            #expect(appended.baseOffset == layout.nextOffsets[1], "\(context)")
            try log.close()
        }
    }

    /// Garbage after the last valid batch is a torn tail: zeros (what a file system can
    /// leave after a crash), random bytes, a header with nothing after it, a duplicate of
    /// the last batch (valid CRC, wrong offset).
    @Test func garbageAfterTheTailIsCut() async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let layout = try await Self.threeBatches(in: directory)
        var random = SeededGenerator(seed: 0x6A7B)
        let lastBatch = Array(layout.bytes[layout.starts[2]..<layout.ends[2]])
        let tails: [(String, [UInt8])] = [
            ("1 zero", [0]),
            ("60 zeros", [UInt8](repeating: 0, count: 60)),
            ("61 zeros", [UInt8](repeating: 0, count: 61)),
            ("4096 zeros", [UInt8](repeating: 0, count: 4096)),
            ("1 random byte", [0xA5]),
            ("61 random bytes", (0..<61).map { _ in UInt8.random(in: 0...255, using: &random) }),
            ("1000 random bytes", (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) }),
            ("a header alone", Array(lastBatch[..<RecordBatchHeader.size])),
            ("the last batch again", lastBatch),
            ("0xFF bytes", [UInt8](repeating: 0xFF, count: 200)),
        ]
        let path = directory.child("garbage")
        for (index, (name, tail)) in tails.enumerated() {
            try Self.damagedCopy(layout, to: path, logBytes: layout.bytes + tail, keepCheckpoint: index % 2 == 0)
            let log = try Self.open(path)
            #expect(log.openReport.truncatedBytes == Int64(tail.count), "\(name)")
            #expect(fileSize(path + "/" + layout.logFileName) == Int64(layout.bytes.count), "\(name)")
            Self.expectRecords(log, layout.records, name)
            try log.close()
        }
    }

    // MARK: - Bit flips

    /// Names the header field at a byte position of a batch.
    static func field(at position: Int) -> String {
        switch position {
        case 0..<8: "baseOffset"
        case 8..<12: "batchLength"
        case 12..<16: "partitionLeaderEpoch"
        case 16: "magic"
        case 17..<21: "crc"
        case 21..<23: "attributes"
        case 23..<27: "lastOffsetDelta"
        case 27..<35: "baseTimestamp"
        case 35..<43: "maxTimestamp"
        case 43..<51: "producerId"
        case 51..<53: "producerEpoch"
        case 53..<57: "baseSequence"
        case 57..<61: "recordsCount"
        default: "records"
        }
    }

    /// Every bit of the last batch's header and one bit of each of its record bytes:
    /// the open cuts exactly that batch and keeps the two before it. The partition
    /// leader epoch is the exception: Kafka's CRC does not cover it and nothing else
    /// constrains it, so a flip there is kept as written.
    @Test(arguments: [CompressionCodec.none, .lz4])
    func bitFlipInTheLastBatchCutsOnlyIt(last: CompressionCodec) async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let layout = try await Self.threeBatches(in: directory, last: last)
        let start = layout.starts[2]
        let size = layout.ends[2] - start
        let path = directory.child("flip")
        for relative in 0..<size {
            let bits = relative < RecordBatchHeader.size ? Array(0..<8) : [relative % 8]
            for bit in bits {
                let field = Self.field(at: relative)
                let context = "\(last) last batch, \(field) byte \(relative) bit \(bit)"
                var bytes = layout.bytes
                bytes[start + relative] ^= UInt8(1 << bit)
                try Self.damagedCopy(layout, to: path, logBytes: bytes, keepCheckpoint: false)
                let log: PartitionLog
                do {
                    log = try Self.open(path)
                } catch {
                    Issue.record("open threw \(error): \(context)")
                    continue
                }
                if field == "partitionLeaderEpoch" {
                    #expect(log.openReport.truncatedBytes == 0, "\(context)")
                    Self.expectRecords(log, layout.records, context)
                } else {
                    #expect(log.openReport.truncatedBytes == Int64(size), "\(context)")
                    #expect(fileSize(path + "/" + layout.logFileName) == Int64(start), "\(context)")
                    Self.expectRecords(log, layout.records(before: 2), context)
                }
            }
        }
    }

    /// A flip in a batch that has a valid batch after it is damage, not a torn write:
    /// the open fails with `corruptLog` naming the file and the damaged batch's position,
    /// and the log file is left exactly as it was. Covers every bit of every header field
    /// that bounds or is covered by the CRC (the length field has its own test) and one
    /// bit of each record byte.
    @Test(arguments: [CompressionCodec.none, .lz4])
    func bitFlipInAMiddleBatchIsReportedAndChangesNothing(middle: CompressionCodec) async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let layout = try await Self.threeBatches(in: directory, middle: middle)
        try Self.expectMiddleFlipsReported(layout, directory: directory, context: "\(middle) middle batch") { field in
            field != "partitionLeaderEpoch" && field != "batchLength"
        }
    }

    /// A flip in a middle batch's length field must not make the open silently cut that
    /// batch and the acknowledged one after it.
    @Test func bitFlipInAMiddleBatchLengthIsReported() async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let layout = try await Self.threeBatches(in: directory)
        try Self.expectMiddleFlipsReported(layout, directory: directory, context: "middle batch length") { field in
            field == "batchLength"
        }
    }

    static func expectMiddleFlipsReported(
        _ layout: Layout, directory: TemporaryDirectory, context: String, fields: (String) -> Bool
    ) throws {
        let start = layout.starts[1]
        let path = directory.child("flip")
        let logPath = path + "/" + layout.logFileName
        for relative in 0..<(layout.ends[1] - start) where fields(field(at: relative)) {
            let bits = relative < RecordBatchHeader.size ? Array(0..<8) : [relative % 8]
            for bit in bits {
                let context = "\(context), \(field(at: relative)) byte \(relative) bit \(bit)"
                var bytes = layout.bytes
                bytes[start + relative] ^= UInt8(1 << bit)
                try damagedCopy(layout, to: path, logBytes: bytes, keepCheckpoint: false)
                expectCorruptLog(file: logPath, position: Int64(start), context) { try open(path) }
                #expect(readFile(logPath) == bytes, "the log file changed: \(context)")
            }
        }
    }

    /// After a clean close nothing is scanned, so damage in the middle is found when the
    /// batch is read: the read fails with `corruptLog` at the batch, and the batches
    /// around it still read.
    @Test func damageFoundOnReadNamesTheBatch() async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let layout = try await Self.threeBatches(in: directory)
        var bytes = layout.bytes
        bytes[layout.ends[1] - 3] ^= 0x10
        let path = directory.child("read")
        try Self.damagedCopy(layout, to: path, logBytes: bytes, keepCheckpoint: true)
        let log = try Self.open(path)
        #expect(log.openReport.wasClean)
        let logPath = path + "/" + layout.logFileName
        for offset in [Int64(3), 4] {
            Self.expectCorruptLog(file: logPath, position: Int64(layout.starts[1]), "read from \(offset)") {
                try log.readRecords(from: offset)
            }
        }
        #expect(try log.readRecords(from: 0, maxBytes: 1).map(\.offset) == [0, 1, 2])
        #expect(try log.readRecords(from: 5).map(\.offset) == [5, 6, 7, 8])
        try log.close()
    }

    // MARK: - Indexes

    /// A log of about six 4 KiB segments, closed cleanly. Returns its records.
    static func multiSegmentLog(_ path: String, batches: Int = 60) async throws -> [Record] {
        let log = try open(path, segmentBytes: 4096)
        var records: [Record] = []
        for batch in 0..<batches {
            let count = 1 + batch % 3
            let next = (records.count..<(records.count + count)).map { record($0, size: 60 + ($0 * 37) % 90) }
            try await log.append(next, compression: batch % 4 == 1 ? .lz4 : .none)
            records += next
        }
        #expect(log.segmentCount >= 5)
        try log.close()
        return records
    }

    static func bases(_ path: String) throws -> [Int64] {
        try Directory.entries(path).compactMap { name in
            guard let parsed = SegmentFileName.parse(name), parsed.fileExtension == SegmentFileName.log else { return nil }
            return parsed.baseOffset
        }.sorted()
    }

    enum IndexDamage: String, CaseIterable, Sendable {
        case offsetIndexRaggedLength, timeIndexRaggedLength, offsetIndexMissing, timeIndexMissing
        case lastEntryPastTheLog, lastEntryPastTheSegment, middleEntryPastTheLog, zeroedTimeIndex
    }

    /// Damages an index of the second segment (closed, neither first nor active); the
    /// open rebuilds it, lookups by offset and time return the right records, retention
    /// (7 days) keeps every segment, and after a clean close and reopen the indexes pass
    /// the full sanity check.
    @Test(arguments: IndexDamage.allCases)
    func damagedIndexIsRebuilt(damage: IndexDamage) async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let source = directory.child("source")
        let records = try await Self.multiSegmentLog(source)
        let path = directory.child("damaged")
        try Self.copy(source, to: path)
        let base = try Self.bases(path)[1]
        let offsetIndex = path + "/" + SegmentFileName.name(base, SegmentFileName.offsetIndex)
        let timeIndex = path + "/" + SegmentFileName.name(base, SegmentFileName.timeIndex)
        let entries = readFile(offsetIndex).count / OffsetIndexEntry.size
        #expect(entries >= 3, "the segment needs a few index entries")
        switch damage {
        case .offsetIndexRaggedLength: writeFile(offsetIndex, readFile(offsetIndex) + [1, 2, 3])
        case .timeIndexRaggedLength: writeFile(timeIndex, readFile(timeIndex) + [1, 2, 3, 4, 5])
        case .offsetIndexMissing: #expect(unlink(offsetIndex) == 0)
        case .timeIndexMissing: #expect(unlink(timeIndex) == 0)
        case .lastEntryPastTheLog:
            overwrite(offsetIndex, at: Int64((entries - 1) * 8 + 4), with: [0x7F, 0xFF, 0xFF, 0x00])
        case .lastEntryPastTheSegment:
            overwrite(offsetIndex, at: Int64((entries - 1) * 8), with: [0x00, 0x10, 0x00, 0x00])
        case .middleEntryPastTheLog:
            overwrite(offsetIndex, at: Int64(8 + 4), with: [0x00, 0x01, 0x00, 0x00])
        case .zeroedTimeIndex:
            writeFile(timeIndex, [UInt8](repeating: 0, count: readFile(timeIndex).count))
        }
        for round in ["first open", "reopen after a clean close"] {
            let context = "\(damage), \(round)"
            let log = try Self.open(path, segmentBytes: 4096)
            Self.expectRecords(log, records, context)
            for offset in 0..<Int64(records.count) {
                let first = try? log.readRecords(from: offset, maxBytes: 1).first
                if first?.offset != offset {
                    Issue.record("lookup of offset \(offset) returned \(first?.offset as Any): \(context)")
                    break
                }
            }
            for (offset, record) in records.enumerated() where offset % 5 == 0 {
                let found = try? log.offset(forTimestamp: record.timestamp!)
                #expect(found?.offset == Int64(offset), "time lookup of offset \(offset): \(context)")
            }
            let segments = log.writer.withLock { $0.segments }
            let damaged = try #require(segments.first { $0.baseOffset == base })
            #expect(damaged.offsetIndex.count > 0 && damaged.timeIndex.count > 0, "indexes not rebuilt: \(context)")
            #expect(try log.enforceRetention() == 0, "retention deleted fresh segments: \(context)")
            for problem in LogAudit.problems(log) { Issue.record("\(problem): \(context)") }
            try log.close()
        }
    }

    // MARK: - Missing files

    /// Without a checkpoint every segment is scanned, and nothing is lost.
    @Test func missingCheckpointRecoversEverySegment() async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let path = directory.child("log")
        let records = try await Self.multiSegmentLog(path)
        let segments = try Self.bases(path).count
        #expect(unlink(path + "/" + PartitionCheckpoint.fileName) == 0)
        let log = try Self.open(path, segmentBytes: 4096)
        #expect(log.openReport == PartitionLog.OpenReport(wasClean: false, recoveredSegments: segments, truncatedBytes: 0))
        Self.expectRecords(log, records, "no checkpoint")
        #expect(LogAudit.problems(log) == [])
        try log.close()
    }

    /// The active segment deleted while the log was running (an operator's `rm`): the
    /// reopened log ends where the remaining segments end and takes appends there.
    @Test func activeSegmentDeletedUnderARunningLog() async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let path = directory.child("log")
        let records = try await Self.multiSegmentLog(path)
        let log = try Self.open(path, segmentBytes: 4096)
        let activeBase = try #require(try Self.bases(path).last)
        let paths = Segment.paths(directory: path, baseOffset: activeBase)
        for file in [paths.log, paths.offsetIndex, paths.timeIndex] { #expect(unlink(file) == 0) }
        try await log.append([Self.record(9999)])
        try log.close()
        let reopened = try Self.open(path, segmentBytes: 4096)
        #expect(!reopened.openReport.wasClean)
        Self.expectRecords(reopened, Array(records[..<Int(activeBase)]), "active segment deleted")
        #expect(LogAudit.problems(reopened) == [])
        #expect(try await reopened.append([Self.record(7)]).baseOffset == activeBase)
        try reopened.close()
    }

    /// The oldest segment deleted: the log starts at the next one, as after retention.
    @Test func firstSegmentDeletedMovesTheLogStart() async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let path = directory.child("log")
        let records = try await Self.multiSegmentLog(path)
        let bases = try Self.bases(path)
        let paths = Segment.paths(directory: path, baseOffset: bases[0])
        for file in [paths.log, paths.offsetIndex, paths.timeIndex] { #expect(unlink(file) == 0) }
        let log = try Self.open(path, segmentBytes: 4096)
        #expect(log.logStartOffset == bases[1])
        #expect(log.logEndOffset == Int64(records.count))
        let read = try LogAudit.allRecords(log)
        #expect(read.first?.offset == bases[1])
        #expect(zip(read, records[Int(bases[1])...]).allSatisfy { LogAudit.matches($0, $1) })
        #expect(throws: BasaltError.offsetOutOfRange(offset: 0, logStartOffset: bases[1], logEndOffset: Int64(records.count))) {
            try log.readRecords(from: 0)
        }
        #expect(LogAudit.problems(log) == [])
        try log.close()
    }

    /// A segment missing from the middle leaves a hole in the offsets: the open must
    /// refuse with `corruptLog` naming the segment after the hole, rather than serve the
    /// records after the hole for offsets inside it.
    @Test(arguments: [true, false])
    func middleSegmentDeletedIsReported(cleanShutdown: Bool) async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let path = directory.child("log")
        _ = try await Self.multiSegmentLog(path)
        let bases = try Self.bases(path)
        let paths = Segment.paths(directory: path, baseOffset: bases[2])
        for file in [paths.log, paths.offsetIndex, paths.timeIndex] { #expect(unlink(file) == 0) }
        if !cleanShutdown { #expect(unlink(path + "/" + PartitionCheckpoint.fileName) == 0) }
        let after = path + "/" + SegmentFileName.name(bases[3], SegmentFileName.log)
        Self.expectCorruptLog(file: after, position: 0, "segment \(bases[2]) deleted") {
            try Self.open(path, segmentBytes: 4096)
        }
    }

    // MARK: - Scanning only the tail

    /// After an unclean shutdown with many closed segments, only the active segment is
    /// scanned; with a torn tail, only it is scanned and cut.
    @Test(arguments: [false, true])
    func uncleanShutdownScansOnlyTheTail(tornTail: Bool) async throws {
        let directory = TemporaryDirectory("basalt-recovery")
        let path = directory.child("log")
        var records: [Record] = []
        do {
            let log = try Self.open(path, segmentBytes: 4096)
            for batch in 0..<200 {
                let next = (records.count..<(records.count + 2)).map { Self.record($0, size: 150) }
                try await log.append(next, compression: batch % 5 == 0 ? .lz4 : .none)
                records += next
            }
            #expect(log.segmentCount >= 20)
            // Dropped without close.
        }
        if tornTail {
            let active = path + "/" + SegmentFileName.name(try #require(try Self.bases(path).last), SegmentFileName.log)
            truncateFile(active, to: fileSize(active) - 7)
            records.removeLast(2)
        }
        let log = try Self.open(path, segmentBytes: 4096)
        #expect(!log.openReport.wasClean)
        #expect(log.openReport.recoveredSegments == 1)
        #expect((log.openReport.truncatedBytes > 0) == tornTail)
        Self.expectRecords(log, records, "torn tail \(tornTail)")
        #expect(LogAudit.problems(log) == [])
        #expect(try await log.append([Self.record(5000)]).baseOffset == Int64(records.count))
        try log.close()
    }
}

/// Replaces the file at `path` with `bytes`.
func writeFile(_ path: String, _ bytes: [UInt8]) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(descriptor >= 0, "cannot create \(path): errno \(errno)")
    defer { close(descriptor) }
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let written = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(done))
            precondition(written > 0, "cannot write \(path): errno \(errno)")
            done += written
        }
    }
}
