import Basalt

/// Checks a segment's `.index` against its log in the same pass that walks the log:
/// entries are read in file order, a chunk at a time, and each is judged against the
/// batch at its position as the walk reaches it, so memory stays flat.
///
/// An entry `(offset O, position P)` is right when its offset and position are above
/// the previous entry's, P is where a batch starts, that batch's base offset is at most
/// O (Basalt and Kafka write the last offset of the batch, or of the last batch of a
/// multi-batch append), and O is at most the segment's last offset.
struct OffsetIndexCheck {
    typealias Visit = (_ slot: Int, _ entry: OffsetIndexEntry, _ issues: [EntryIssue]) -> Void

    private var reader: IndexFileReader<OffsetIndexEntry>
    /// The segment's base offset (from the file name).
    let baseOffset: Int64
    /// Entries checked: the ones before the zero-filled tail.
    let usedCount: Int
    /// The segment's last offset when a first pass found it; nil to check at the end.
    let knownLastOffset: Int64?
    private let visit: Visit
    private var slot = 0
    private var previous: OffsetIndexEntry?
    private var previousBatchStart: Int64?
    /// First slot whose offset was past its batch's last offset, checked at the end.
    private var firstUnsettledSlot: Int?

    init(reader: IndexFileReader<OffsetIndexEntry>, baseOffset: Int64, usedCount: Int, knownLastOffset: Int64?,
         visit: @escaping Visit) {
        self.reader = reader
        self.baseOffset = baseOffset
        self.usedCount = usedCount
        self.knownLastOffset = knownLastOffset
        self.visit = visit
    }

    private func offset(_ entry: OffsetIndexEntry) -> Int64 { baseOffset + Int64(entry.relativeOffset) }

    private func orderIssue(_ entry: OffsetIndexEntry) -> EntryIssue? {
        if entry.relativeOffset < 0 || entry.position < 0 {
            return EntryIssue(.indexOutOfOrder, "entry has a negative relative offset \(entry.relativeOffset) or position \(entry.position)")
        }
        if let previous, entry.relativeOffset <= previous.relativeOffset || entry.position <= previous.position {
            return EntryIssue(.indexOutOfOrder,
                              "offset \(offset(entry)) at position \(entry.position) does not follow the previous entry (offset \(offset(previous)) at position \(previous.position))")
        }
        return nil
    }

    /// Judges the entries up to the batch at `position`; call for every well-formed
    /// batch in file order.
    mutating func observe(position: Int64, header: RecordBatchHeader) throws {
        while slot < usedCount {
            let entry = try reader.entry(at: slot)
            if let issue = orderIssue(entry) {
                visit(slot, entry, [issue])
                slot += 1
                continue
            }
            let entryPosition = Int64(entry.position)
            if entryPosition > position { break }
            var issues: [EntryIssue] = []
            if entryPosition < position {
                let before = previousBatchStart.map { "between the batches at \($0) and \(position)" } ?? "before the first batch at \(position)"
                issues.append(EntryIssue(.indexNotAtBatch, "position \(entryPosition) is not the start of a batch (it is \(before))"))
            } else {
                let entryOffset = offset(entry)
                if entryOffset < header.baseOffset {
                    issues.append(EntryIssue(.indexOffsetMismatch,
                                             "offset \(entryOffset) is below the base offset \(header.baseOffset) of the batch at position \(position)"))
                }
                if let knownLastOffset, entryOffset > knownLastOffset {
                    issues.append(EntryIssue(.indexBeyondLog, "offset \(entryOffset) is past the segment's last offset \(knownLastOffset)"))
                } else if knownLastOffset == nil, entryOffset > header.lastOffset, firstUnsettledSlot == nil {
                    firstUnsettledSlot = slot
                }
            }
            previous = entry
            visit(slot, entry, issues)
            slot += 1
        }
        previousBatchStart = position
    }

    /// Judges the entries left once the walk is over: `endPosition` is where the last
    /// well-formed batch ends, `lastOffset` the segment's last offset (nil when empty).
    mutating func finish(endPosition: Int64, lastOffset: Int64?) throws {
        let observedEnd = slot
        while slot < usedCount {
            let entry = try reader.entry(at: slot)
            if let issue = orderIssue(entry) {
                visit(slot, entry, [issue])
                slot += 1
                continue
            }
            let entryPosition = Int64(entry.position)
            var issues: [EntryIssue] = []
            if entryPosition >= endPosition {
                issues.append(EntryIssue(.indexBeyondLog, "position \(entryPosition) is at or past the end of the log's batches (\(endPosition))"))
            } else {
                issues.append(EntryIssue(.indexNotAtBatch, "position \(entryPosition) is not the start of a batch (it is inside the last batch, which starts at \(previousBatchStart ?? 0))"))
            }
            let entryOffset = offset(entry)
            if let last = knownLastOffset ?? lastOffset {
                if entryOffset > last {
                    issues.append(EntryIssue(.indexBeyondLog, "offset \(entryOffset) is past the segment's last offset \(last)"))
                }
            } else {
                issues.append(EntryIssue(.indexBeyondLog, "offset \(entryOffset) is in a segment without batches"))
            }
            previous = entry
            visit(slot, entry, issues)
            slot += 1
        }
        // Entries whose offset ran past their own batch are right only if a later batch
        // reaches it.
        if let first = firstUnsettledSlot {
            let last = lastOffset ?? (baseOffset - 1)
            for index in first..<observedEnd {
                let entry = try reader.entry(at: index)
                if offset(entry) > last {
                    visit(index, entry, [EntryIssue(.indexBeyondLog, "offset \(offset(entry)) is past the segment's last offset \(last)")])
                }
            }
        }
    }
}
