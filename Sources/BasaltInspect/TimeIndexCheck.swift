import Basalt

/// Checks a segment's `.timeindex` against its log in the same pass that walks the log,
/// reading entries in file order a chunk at a time.
///
/// An entry `(timestamp T, offset O)` says "the largest timestamp up to offset O is T,
/// and it first appears in the batch holding O". It is right when T is above the
/// previous entry's timestamp and O not below its offset, O lies in a batch, no batch
/// before that one has a timestamp ≥ T (else time lookups would skip it), and T is at
/// most the segment's largest timestamp.
struct TimeIndexCheck {
    typealias Visit = (_ slot: Int, _ entry: TimeIndexEntry, _ issues: [EntryIssue]) -> Void

    private var reader: IndexFileReader<TimeIndexEntry>
    /// The segment's base offset (from the file name).
    let baseOffset: Int64
    /// Entries checked: the ones before the zero-filled tail.
    let usedCount: Int
    /// The segment's largest timestamp when a first pass found it; nil to check at the end.
    let knownMaxTimestamp: Int64?
    private let visit: Visit
    private var slot = 0
    private var previous: TimeIndexEntry?
    /// Largest timestamp of the batches before the current one.
    private var maxBefore = Int64.min
    /// First slot whose timestamp was above every batch up to its own, checked at the end.
    private var firstUnsettledSlot: Int?

    init(reader: IndexFileReader<TimeIndexEntry>, baseOffset: Int64, usedCount: Int, knownMaxTimestamp: Int64?,
         visit: @escaping Visit) {
        self.reader = reader
        self.baseOffset = baseOffset
        self.usedCount = usedCount
        self.knownMaxTimestamp = knownMaxTimestamp
        self.visit = visit
    }

    private func offset(_ entry: TimeIndexEntry) -> Int64 { baseOffset + Int64(entry.relativeOffset) }

    private func orderIssue(_ entry: TimeIndexEntry) -> EntryIssue? {
        if entry.relativeOffset < 0 {
            return EntryIssue(.indexOutOfOrder, "entry has a negative relative offset \(entry.relativeOffset)")
        }
        if let previous, entry.timestamp <= previous.timestamp || entry.relativeOffset < previous.relativeOffset {
            return EntryIssue(.indexOutOfOrder,
                              "timestamp \(entry.timestamp) at offset \(offset(entry)) does not follow the previous entry (timestamp \(previous.timestamp) at offset \(offset(previous)))")
        }
        return nil
    }

    /// Judges the entries whose offsets are up to the batch at `position`; call for
    /// every well-formed batch in file order.
    mutating func observe(position: Int64, header: RecordBatchHeader) throws {
        let maxThrough = max(maxBefore, header.maxTimestamp)
        while slot < usedCount {
            let entry = try reader.entry(at: slot)
            if let issue = orderIssue(entry) {
                visit(slot, entry, [issue])
                slot += 1
                continue
            }
            let entryOffset = offset(entry)
            if entryOffset > header.lastOffset { break }
            var issues: [EntryIssue] = []
            if entryOffset < header.baseOffset {
                issues.append(EntryIssue(.indexNotAtBatch, "offset \(entryOffset) is in no batch (the next batch, at position \(position), starts at offset \(header.baseOffset))"))
            } else {
                if maxBefore >= entry.timestamp {
                    issues.append(EntryIssue(.timeIndexMismatch,
                                             "timestamp \(entry.timestamp) is first reached before offset \(entryOffset): an earlier batch already has timestamp \(maxBefore)"))
                }
                if let knownMaxTimestamp, entry.timestamp > knownMaxTimestamp {
                    issues.append(EntryIssue(.indexBeyondLog, "timestamp \(entry.timestamp) is past the segment's largest timestamp \(knownMaxTimestamp)"))
                } else if knownMaxTimestamp == nil, entry.timestamp > maxThrough, firstUnsettledSlot == nil {
                    firstUnsettledSlot = slot
                }
            }
            previous = entry
            visit(slot, entry, issues)
            slot += 1
        }
        maxBefore = maxThrough
    }

    /// Judges the entries left once the walk is over.
    mutating func finish(lastOffset: Int64?, maxTimestamp: Int64?) throws {
        let observedEnd = slot
        while slot < usedCount {
            let entry = try reader.entry(at: slot)
            if let issue = orderIssue(entry) {
                visit(slot, entry, [issue])
                slot += 1
                continue
            }
            let issue = lastOffset.map { "offset \(offset(entry)) is past the segment's last offset \($0)" }
                ?? "offset \(offset(entry)) is in a segment without batches"
            previous = entry
            visit(slot, entry, [EntryIssue(.indexBeyondLog, issue)])
            slot += 1
        }
        if let first = firstUnsettledSlot {
            let largest = maxTimestamp ?? Int64.min
            for index in first..<observedEnd {
                let entry = try reader.entry(at: index)
                if entry.timestamp > largest {
                    visit(index, entry, [EntryIssue(.indexBeyondLog, "timestamp \(entry.timestamp) is past the segment's largest timestamp \(largest)")])
                }
            }
        }
    }
}
