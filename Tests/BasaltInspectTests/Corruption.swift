import Basalt
import BasaltInspect
import Glibc
import Testing

/// One hand-made damage per problem kind `verify` reports, applied at run time to a
/// fresh store from ``Fixture/writeStore(_:)``.
enum Corruption: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case truncatedBatch, invalidBatch, crcMismatch, misnamedSegment, offsetNotContiguous, offsetOverflow, invalidRecords
    case segmentGap, emptySegment, belowLogStart, missingIndex, indexSize, indexNotTrimmed, indexOutOfOrder
    case indexBeyondLog, indexNotAtBatch, indexOffsetMismatch, timeIndexMismatch
    case strayFile, orphanIndex, leftoverFile, badCheckpoint
    case badTopicFile, badCursorFile, missingPartition, unknownPartition, cursorBeyondEnd, unreadable

    var testDescription: String { rawValue }

    /// The kind `verify` must report.
    var expected: ProblemKind {
        switch self {
        case .truncatedBatch: .truncatedBatch
        case .invalidBatch: .invalidBatch
        case .crcMismatch: .crcMismatch
        case .misnamedSegment: .misnamedSegment
        case .offsetNotContiguous: .offsetNotContiguous
        case .offsetOverflow: .offsetOverflow
        case .invalidRecords: .invalidRecords
        case .segmentGap: .segmentGap
        case .emptySegment: .emptySegment
        case .belowLogStart: .belowLogStart
        case .missingIndex: .missingIndex
        case .indexSize: .indexSize
        case .indexNotTrimmed: .indexNotTrimmed
        case .indexOutOfOrder: .indexOutOfOrder
        case .indexBeyondLog: .indexBeyondLog
        case .indexNotAtBatch: .indexNotAtBatch
        case .indexOffsetMismatch: .indexOffsetMismatch
        case .timeIndexMismatch: .timeIndexMismatch
        case .strayFile: .strayFile
        case .orphanIndex: .orphanIndex
        case .leftoverFile: .leftoverFile
        case .badCheckpoint: .badCheckpoint
        case .badTopicFile: .badTopicFile
        case .badCursorFile: .badCursorFile
        case .missingPartition: .missingPartition
        case .unknownPartition: .unknownPartition
        case .cursorBeyondEnd: .cursorBeyondEnd
        case .unreadable: .unreadable
        }
    }

    /// Whether `verify` needs `--deep` to see it.
    var needsDeep: Bool { self == .invalidRecords }

    /// Damage inside partition `t-0` that `repair` of the partition must turn into a
    /// clean directory.
    static var recoverable: [Corruption] {
        allCases.filter { ![.badTopicFile, .badCursorFile, .missingPartition, .unknownPartition, .cursorBeyondEnd, .unreadable].contains($0) }
    }

    /// Damage anywhere in the store that `repair` of the store must turn into a clean
    /// store: all but a missing partition (only a backup brings it back) and an
    /// unreadable file (repair refuses to guess).
    static var recoverableInStore: [Corruption] {
        allCases.filter { ![.missingPartition, .unreadable].contains($0) }
    }

    /// Whether the test can build it here (permissions do not stop root).
    var isPossible: Bool { self != .unreadable || getuid() != 0 }

    /// Damages the store at `store`; `spare` is a directory outside it for files taken away.
    func apply(store: String, spare: String) throws {
        let partition = store + "/t-0"
        let logs = Fixture.logs(partition)
        precondition(logs.count >= 3, "the fixture has at least three segments")
        let middle = logs[1]
        switch self {
        case .truncatedBatch:
            let last = logs[logs.count - 1]
            FileBytes.truncate(last, to: FileBytes.size(last) - 10)
        case .invalidBatch:
            let batch = try Fixture.batches(middle)[2]
            FileBytes.overwrite(middle, at: batch.position + 16, with: [7])
        case .crcMismatch:
            let batch = try Fixture.batches(middle)[2]
            let byte = FileBytes.read(middle)[Int(batch.position) + 80]
            FileBytes.overwrite(middle, at: batch.position + 80, with: [byte ^ 0x55])
        case .misnamedSegment:
            let base = SegmentFileName.parse(FileBytes.entries(partition).first { middle.hasSuffix($0) }!)!.baseOffset
            for fileExtension in [SegmentFileName.log, SegmentFileName.offsetIndex, SegmentFileName.timeIndex] {
                FileBytes.move(Fixture.sibling(middle, fileExtension), partition + "/" + SegmentFileName.name(base + 1, fileExtension))
            }
        case .offsetNotContiguous:
            let batch = try Fixture.batches(middle)[2]
            FileBytes.overwrite(middle, at: batch.position, with: FileBytes.bigEndian(batch.header.baseOffset + 1000))
        case .offsetOverflow:
            let last = logs[logs.count - 1]
            let next = try Fixture.batches(last).last!.header.nextOffset
            let far = try RecordBatchEncoder.encode([Fixture.record(9)], baseOffset: next + Int64(Int32.max) + 10,
                                                    timestamp: Fixture.baseTimestamp)
            FileBytes.append(last, far)
        case .invalidRecords:
            let last = logs[logs.count - 1]
            let batch = try Fixture.batches(last).last!
            // The first record's length varint, made one byte longer than the record.
            try Fixture.rewriteBatch(last, at: batch.position) { $0[61] = $0[61] &+ 2 }
        case .segmentGap:
            for file in [SegmentFileName.log, SegmentFileName.offsetIndex, SegmentFileName.timeIndex] {
                let path = Fixture.sibling(middle, file)
                FileBytes.move(path, spare + "/" + (path.split(separator: "/").last.map(String.init) ?? path))
            }
        case .emptySegment:
            FileBytes.truncate(middle, to: 0)
        case .belowLogStart:
            let second = try Fixture.batches(middle)[0].header.baseOffset
            try PartitionCheckpointFile(recoveryPoint: second, logStartOffset: second).write(directory: partition)
        case .missingIndex:
            FileBytes.remove(Fixture.sibling(logs[0], SegmentFileName.offsetIndex))
        case .indexSize:
            FileBytes.append(Fixture.sibling(logs[0], SegmentFileName.offsetIndex), [1, 2, 3])
        case .indexNotTrimmed:
            FileBytes.append(Fixture.sibling(logs[0], SegmentFileName.offsetIndex), [UInt8](repeating: 0, count: 80))
        case .indexOutOfOrder:
            let index = Fixture.sibling(logs[0], SegmentFileName.offsetIndex)
            let entries = try Fixture.offsetEntries(index)
            precondition(entries.count >= 3, "the fixture's index has at least three entries")
            FileBytes.overwrite(index, at: 8, with: Fixture.bytes(of: entries[2]) + Fixture.bytes(of: entries[1]))
        case .indexBeyondLog:
            let index = Fixture.sibling(logs[0], SegmentFileName.offsetIndex)
            let last = try Fixture.offsetEntries(index).last!
            FileBytes.append(index, Fixture.bytes(of: OffsetIndexEntry(relativeOffset: last.relativeOffset + 1000,
                                                                       position: Int32(FileBytes.size(logs[0])) + 1000)))
        case .indexNotAtBatch:
            let index = Fixture.sibling(logs[0], SegmentFileName.offsetIndex)
            let entry = try Fixture.offsetEntries(index)[1]
            FileBytes.overwrite(index, at: 8, with: Fixture.bytes(of: OffsetIndexEntry(relativeOffset: entry.relativeOffset,
                                                                                    position: entry.position + 1)))
        case .indexOffsetMismatch:
            let index = Fixture.sibling(logs[0], SegmentFileName.offsetIndex)
            let entries = try Fixture.offsetEntries(index)
            let batch = try Fixture.batches(logs[0]).first { $0.position == Int64(entries[1].position) }!
            let base = try Fixture.batches(logs[0])[0].header.baseOffset
            let relative = Int32(batch.header.baseOffset - 1 - base)
            precondition(relative > entries[0].relativeOffset, "entries are sparse enough")
            FileBytes.overwrite(index, at: 8, with: Fixture.bytes(of: OffsetIndexEntry(relativeOffset: relative, position: entries[1].position)))
        case .timeIndexMismatch:
            let index = Fixture.sibling(logs[0], SegmentFileName.timeIndex)
            let entries = try Fixture.timeEntries(index)
            let batches = try Fixture.batches(logs[0])
            let base = batches[0].header.baseOffset
            let holder = batches.firstIndex { $0.header.lastOffset >= base + Int64(entries[1].relativeOffset) }!
            let earlier = batches[holder - 1].header.maxTimestamp
            precondition(earlier > entries[0].timestamp, "entries are sparse enough")
            FileBytes.overwrite(index, at: 12, with: Fixture.bytes(of: TimeIndexEntry(timestamp: earlier, relativeOffset: entries[1].relativeOffset)))
        case .strayFile:
            FileBytes.write(partition + "/notes.txt", text: "not a segment\n")
        case .orphanIndex:
            FileBytes.write(partition + "/" + SegmentFileName.name(99_999, SegmentFileName.offsetIndex), [])
        case .leftoverFile:
            FileBytes.write(partition + "/" + PartitionCheckpointFile.temporaryFileName, text: "half a checkpoint")
        case .badCheckpoint:
            FileBytes.write(partition + "/" + PartitionCheckpointFile.fileName, text: "garbage\n")
        case .badTopicFile:
            FileBytes.write(store + "/topics/t.json", text: "{not json")
        case .badCursorFile:
            FileBytes.write(store + "/cursors/g.json", text: "{\"version\": 7}")
        case .missingPartition:
            FileBytes.move(store + "/t-1", spare + "/t-1")
        case .unknownPartition:
            FileBytes.makeDirectory(store + "/zzz-0")
        case .cursorBeyondEnd:
            let cursors = try CursorStore(directory: store + "/cursors")
            try cursors.commit(group: "late", offsets: [TopicPartition(topic: Fixture.topic, partition: 0): CommittedOffset(offset: 100_000)])
        case .unreadable:
            precondition(chmod(logs[0], 0) == 0)
        }
    }
}
