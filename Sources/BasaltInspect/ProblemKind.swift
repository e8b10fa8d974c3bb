/// Every kind of problem `verify` reports, with what it means and what to do about it.
/// The raw value is the stable identifier printed in text and JSON output.
public enum ProblemKind: String, Sendable, CaseIterable, Comparable {
    /// A batch runs past the end of its file, or fewer bytes than a 61-byte header are left.
    case truncatedBatch = "truncated-batch"
    /// Bytes where a batch should start are not a valid batch header (magic not 2, a length below 61 bytes, a record count that disagrees with the offset delta).
    case invalidBatch = "invalid-batch"
    /// A batch's CRC-32C does not match its bytes.
    case crcMismatch = "crc-mismatch"
    /// The first batch's base offset differs from the offset in the segment's file name.
    case misnamedSegment = "misnamed-segment"
    /// A batch's base offset is not the previous batch's last offset + 1 (a gap, an overlap or a step back).
    case offsetNotContiguous = "offset-not-contiguous"
    /// A batch's last offset is more than 2^31-1 past the segment's base offset, so it cannot be indexed.
    case offsetOverflow = "offset-overflow"
    /// The batch's CRC matches but its records do not decode (bad lengths, offset deltas or compressed stream).
    case invalidRecords = "invalid-records"
    /// A segment does not start where the previous one ends.
    case segmentGap = "segment-gap"
    /// An empty segment that is not the last one.
    case emptySegment = "empty-segment"
    /// The segment lies wholly below the log start offset in partition.checkpoint.
    case belowLogStart = "below-log-start"
    /// A segment has no .index or .timeindex file.
    case missingIndex = "missing-index"
    /// An index file's length is not whole entries (8 bytes for .index, 12 for .timeindex).
    case indexSize = "index-size"
    /// The index ends in zero-filled preallocated entries.
    case indexNotTrimmed = "index-not-trimmed"
    /// An index entry's offset or position (or timestamp) is not greater than the previous entry's, so binary search over the index can return wrong positions.
    case indexOutOfOrder = "index-out-of-order"
    /// An index entry points past the end of the log (a position past the last batch, an offset past the last offset, a timestamp past the largest).
    case indexBeyondLog = "index-beyond-log"
    /// An offset index entry's position is not the start of a batch, or a time index entry's offset lies in no batch.
    case indexNotAtBatch = "index-not-at-batch"
    /// An offset index entry's offset is below the base offset of the batch at its position.
    case indexOffsetMismatch = "index-offset-mismatch"
    /// A time index entry says its timestamp is first reached at its offset, but an earlier batch already has that timestamp or a later one.
    case timeIndexMismatch = "timeindex-mismatch"
    /// A file or directory Basalt does not use.
    case strayFile = "stray-file"
    /// An index file whose .log is missing (the process stopped while retention deleted the segment).
    case orphanIndex = "orphan-index"
    /// A temporary file of an interrupted write or deletion (*.tmp, Kafka's .cleaned, .swap, .deleted).
    case leftoverFile = "leftover-file"
    /// partition.checkpoint cannot be parsed.
    case badCheckpoint = "bad-checkpoint"
    /// A topics/<name>.json file cannot be read as a topic description.
    case badTopicFile = "bad-topic-file"
    /// A cursors/<group>.json file cannot be read as a consumer group's commits.
    case badCursorFile = "bad-cursor-file"
    /// A topic's description lists a partition whose directory is missing.
    case missingPartition = "missing-partition"
    /// A partition directory of a topic the store does not describe (or beyond its partition count).
    case unknownPartition = "unknown-partition"
    /// A consumer group's committed offset is past the partition's log end.
    case cursorBeyondEnd = "cursor-beyond-end"
    /// A file or directory could not be read (permissions, I/O error), so nothing in it was checked.
    case unreadable = "unreadable"

    /// Orders kinds as they are declared: log damage, then offsets, indexes, files, store.
    public static func < (lhs: ProblemKind, rhs: ProblemKind) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }

    /// How bad the problem is when nothing more specific is known.
    public var defaultSeverity: Problem.Severity {
        switch self {
        case .belowLogStart, .missingIndex, .indexSize, .indexNotTrimmed, .orphanIndex, .leftoverFile, .badCheckpoint,
             .unknownPartition, .cursorBeyondEnd, .strayFile:
            .warning
        default:
            .error
        }
    }

    /// What the problem means.
    public var meaning: String {
        switch self {
        case .truncatedBatch:
            "A batch runs past the end of its file, or fewer bytes than a 61-byte header are left: the last write was cut short (crash, power loss) or the file was truncated."
        case .invalidBatch:
            "Bytes where a batch should start are not a valid batch header (magic not 2, a length below 61 bytes, a record count that disagrees with the offset delta)."
        case .crcMismatch:
            "A batch's CRC-32C does not match its bytes: they changed after they were written (disk or memory fault, or an outside write), or the write was torn."
        case .misnamedSegment:
            "The first batch's base offset differs from the offset in the segment's file name; lookups choose segments by name and would look in the wrong one."
        case .offsetNotContiguous:
            "A batch's base offset is not the previous batch's last offset + 1 (a gap, an overlap or a step back). Basalt never writes that; in Kafka data, gaps after log compaction are normal."
        case .offsetOverflow:
            "A batch's last offset is more than 2^31-1 past the segment's base offset, so it cannot be indexed."
        case .invalidRecords:
            "The batch's CRC matches but its records do not decode (bad lengths, offset deltas or compressed stream): it was written so. Consumers fail on it."
        case .segmentGap:
            "A segment does not start where the previous one ends: offsets are missing between them, or they overlap. Basalt refuses to open such a partition."
        case .emptySegment:
            "An empty segment that is not the last one; its offsets cannot be placed between its neighbours and Basalt refuses to open the partition."
        case .belowLogStart:
            "The segment lies wholly below the log start offset in partition.checkpoint: retention was deleting it when the process stopped. Basalt deletes it on open."
        case .missingIndex:
            "A segment has no .index or .timeindex file. Basalt and Kafka rebuild it from the log when the partition opens."
        case .indexSize:
            "An index file's length is not whole entries (8 bytes for .index, 12 for .timeindex): it was cut mid-write. Basalt and Kafka discard and rebuild it on open."
        case .indexNotTrimmed:
            "The index ends in zero-filled preallocated entries: its segment was the active one and the log was not closed cleanly (or is open right now)."
        case .indexOutOfOrder:
            "An index entry's offset or position (or timestamp) is not greater than the previous entry's, so binary search over the index can return wrong positions."
        case .indexBeyondLog:
            "An index entry points past the end of the log (a position past the last batch, an offset past the last offset, a timestamp past the largest): the log was cut without its index."
        case .indexNotAtBatch:
            "An offset index entry's position is not the start of a batch, or a time index entry's offset lies in no batch: a lookup would start reading mid-batch."
        case .indexOffsetMismatch:
            "An offset index entry's offset is below the base offset of the batch at its position: lookups of offsets in between would start too late and miss records."
        case .timeIndexMismatch:
            "A time index entry says its timestamp is first reached at its offset, but an earlier batch already has that timestamp or a later one: time lookups would skip records."
        case .strayFile:
            "A file or directory Basalt does not use: a wrong extension, a name that is not a 20-digit base offset, or something unknown. Basalt ignores it."
        case .orphanIndex:
            "An index file whose .log is missing (the process stopped while retention deleted the segment). Basalt deletes it on open."
        case .leftoverFile:
            "A temporary file of an interrupted write or deletion (*.tmp, Kafka's .cleaned, .swap, .deleted). Basalt removes its own on open."
        case .badCheckpoint:
            "partition.checkpoint cannot be parsed. The log recovers every segment on open (slow but safe) and forgets a log start offset raised by deleteRecords."
        case .badTopicFile:
            "A topics/<name>.json file cannot be read as a topic description; the store refuses to open."
        case .badCursorFile:
            "A cursors/<group>.json file cannot be read as a consumer group's commits; the store refuses to open."
        case .missingPartition:
            "A topic's description lists a partition whose directory is missing; the store creates it empty on open, so its records are gone."
        case .unknownPartition:
            "A partition directory of a topic the store does not describe (or beyond its partition count); the store ignores it."
        case .cursorBeyondEnd:
            "A consumer group's committed offset is past the partition's log end: records it had read are gone (cut by recovery or repair). The consumer will reset."
        case .unreadable:
            "A file or directory could not be read (permissions, I/O error), so nothing in it was checked."
        }
    }

    /// What to do about it.
    public var action: String {
        switch self {
        case .truncatedBatch, .crcMismatch, .invalidBatch:
            "At the tail of the last segment Basalt cuts it on open; elsewhere the partition will not open. Run `basalt-inspect repair <partition>` to see the plan, then --apply (cut bytes and later segments go to quarantine, never deleted)."
        case .misnamedSegment:
            "`repair --apply` renames the segment when its offsets continue the previous one, else moves it to quarantine."
        case .offsetNotContiguous, .offsetOverflow, .segmentGap, .emptySegment:
            "`repair --apply` cuts the log where offsets stop following each other and moves the rest to quarantine. For Kafka compacted topics, ignore gaps."
        case .invalidRecords:
            "`basalt-inspect repair` cuts the log at that batch and keeps it, with everything after it, in quarantine (never deleted); `dump --records` on the quarantined tail shows what it held."
        case .belowLogStart, .orphanIndex, .leftoverFile:
            "Nothing is required (Basalt cleans it on open); `repair --apply` (of the partition, or of the store for the store's own files) moves it to quarantine instead of deleting it."
        case .missingIndex, .indexSize, .indexNotTrimmed, .indexOutOfOrder, .indexBeyondLog, .indexNotAtBatch,
             .indexOffsetMismatch, .timeIndexMismatch:
            "Indexes are derived data: `repair --apply` rebuilds them from the log (the old files go to quarantine)."
        case .strayFile:
            "Find out what put it there; `repair --apply` moves it to quarantine."
        case .badCheckpoint:
            "`repair --apply` moves it to quarantine; the next open recovers every segment."
        case .badTopicFile:
            "Restore it from a backup; or `repair <store> --apply` moves it to quarantine and, when the topic's partition directories are numbered from 0 without gaps, writes it anew with that partition count and the default settings."
        case .badCursorFile:
            "Restore it from a backup; or `repair <store> --apply` moves it to quarantine (the group then starts from its reset position)."
        case .missingPartition:
            "Restore the directory from a backup or a replica before opening the store; repair does not act on it."
        case .unknownPartition:
            "Restore the topic's description in topics/ if the topic should exist; else `repair <store> --apply` moves the directory to quarantine."
        case .cursorBeyondEnd:
            "`repair <store> --apply` lowers the commit to the log end (the old cursor file goes to quarantine); left alone, the group resets (earliest or latest)."
        case .unreadable:
            "Fix the permissions or the device, then run verify again."
        }
    }
}
