import Basalt

/// What makes a `.index` entry right, for ``IndexCheck``.
///
/// An entry `(offset O, position P)` is right when its offset and position are above
/// the previous entry's, P is where a batch starts, that batch's base offset is at most
/// O (Basalt and Kafka write the last offset of the batch, or of the last batch of a
/// multi-batch append), and O is at most the segment's last offset.
struct OffsetIndexRules: IndexRules {
    /// The segment's base offset (from the file name).
    let baseOffset: Int64
    /// Where the batch before the one being judged starts.
    private var previousBatchStart: Int64?

    init(baseOffset: Int64) {
        self.baseOffset = baseOffset
    }

    static func isZero(_ entry: OffsetIndexEntry) -> Bool { entry.relativeOffset == 0 && entry.position == 0 }

    static let indexName = "offset"

    static func offset(_ entry: OffsetIndexEntry, baseOffset: Int64) -> Int64 { baseOffset + Int64(entry.relativeOffset) }

    static func fields(_ entry: OffsetIndexEntry, baseOffset: Int64) -> [(name: String, value: Int64)] {
        [("offset", offset(entry, baseOffset: baseOffset)), ("relativeOffset", Int64(entry.relativeOffset)), ("position", Int64(entry.position))]
    }

    private func offset(_ entry: OffsetIndexEntry) -> Int64 { Self.offset(entry, baseOffset: baseOffset) }

    func orderIssue(_ entry: OffsetIndexEntry, previous: OffsetIndexEntry?) -> EntryIssue? {
        if entry.relativeOffset < 0 || entry.position < 0 {
            return EntryIssue(.indexOutOfOrder, "entry has a negative relative offset \(entry.relativeOffset) or position \(entry.position)")
        }
        if let previous, entry.relativeOffset <= previous.relativeOffset || entry.position <= previous.position {
            return EntryIssue(.indexOutOfOrder,
                              "offset \(offset(entry)) at position \(entry.position) does not follow the previous entry (offset \(offset(previous)) at position \(previous.position))")
        }
        return nil
    }

    func belongsAfter(_ entry: OffsetIndexEntry, position: Int64, header: RecordBatchHeader) -> Bool {
        Int64(entry.position) > position
    }

    func judge(_ entry: OffsetIndexEntry, position: Int64, header: RecordBatchHeader, known: SegmentFacts?)
        -> (issues: [EntryIssue], unsettled: Bool) {
        let entryPosition = Int64(entry.position)
        if entryPosition < position {
            let before = previousBatchStart.map { "between the batches at \($0) and \(position)" } ?? "before the first batch at \(position)"
            return ([EntryIssue(.indexNotAtBatch, "position \(entryPosition) is not the start of a batch (it is \(before))")], false)
        }
        var issues: [EntryIssue] = []
        let entryOffset = offset(entry)
        if entryOffset < header.baseOffset {
            issues.append(EntryIssue(.indexOffsetMismatch,
                                     "offset \(entryOffset) is below the base offset \(header.baseOffset) of the batch at position \(position)"))
        }
        guard let known else { return (issues, entryOffset > header.lastOffset) }
        let last = known.lastOffset ?? (baseOffset - 1)
        if entryOffset > last {
            issues.append(EntryIssue(.indexBeyondLog, "offset \(entryOffset) is past the segment's last offset \(last)"))
        }
        return (issues, false)
    }

    mutating func passed(position: Int64, header: RecordBatchHeader) {
        previousBatchStart = position
    }

    func judgeAfterLastBatch(_ entry: OffsetIndexEntry, log: SegmentFacts) -> [EntryIssue] {
        let entryPosition = Int64(entry.position)
        var issues: [EntryIssue] = []
        if entryPosition >= log.batchesEndPosition {
            issues.append(EntryIssue(.indexBeyondLog, "position \(entryPosition) is at or past the end of the log's batches (\(log.batchesEndPosition))"))
        } else {
            issues.append(EntryIssue(.indexNotAtBatch, "position \(entryPosition) is not the start of a batch (it is inside the last batch, which starts at \(previousBatchStart ?? 0))"))
        }
        if let last = log.lastOffset {
            if offset(entry) > last {
                issues.append(EntryIssue(.indexBeyondLog, "offset \(offset(entry)) is past the segment's last offset \(last)"))
            }
        } else {
            issues.append(EntryIssue(.indexBeyondLog, "offset \(offset(entry)) is in a segment without batches"))
        }
        return issues
    }

    func settle(_ entry: OffsetIndexEntry, log: SegmentFacts) -> EntryIssue? {
        let last = log.lastOffset ?? (baseOffset - 1)
        return offset(entry) > last ? EntryIssue(.indexBeyondLog, "offset \(offset(entry)) is past the segment's last offset \(last)") : nil
    }
}
