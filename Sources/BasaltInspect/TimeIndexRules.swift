import Basalt

/// What makes a `.timeindex` entry right, for ``IndexCheck``.
///
/// An entry `(timestamp T, offset O)` says "the largest timestamp up to offset O is T,
/// and it first appears in the batch holding O". It is right when T is above the
/// previous entry's timestamp and O not below its offset, O lies in a batch, no batch
/// before that one has a timestamp ≥ T (else time lookups would skip it), and T is at
/// most the segment's largest timestamp.
struct TimeIndexRules: IndexRules {
    /// The segment's base offset (from the file name).
    let baseOffset: Int64
    /// Largest timestamp of the batches before the one being judged.
    private var maxBefore = Int64.min

    init(baseOffset: Int64) {
        self.baseOffset = baseOffset
    }

    static func isZero(_ entry: TimeIndexEntry) -> Bool { entry.timestamp == 0 && entry.relativeOffset == 0 }

    static let indexName = "time"

    static func offset(_ entry: TimeIndexEntry, baseOffset: Int64) -> Int64 { baseOffset + Int64(entry.relativeOffset) }

    static func fields(_ entry: TimeIndexEntry, baseOffset: Int64) -> [(name: String, value: Int64)] {
        [("timestamp", entry.timestamp), ("offset", offset(entry, baseOffset: baseOffset)), ("relativeOffset", Int64(entry.relativeOffset))]
    }

    private func offset(_ entry: TimeIndexEntry) -> Int64 { Self.offset(entry, baseOffset: baseOffset) }

    func orderIssue(_ entry: TimeIndexEntry, previous: TimeIndexEntry?) -> EntryIssue? {
        if entry.relativeOffset < 0 {
            return EntryIssue(.indexOutOfOrder, "entry has a negative relative offset \(entry.relativeOffset)")
        }
        if let previous, entry.timestamp <= previous.timestamp || entry.relativeOffset < previous.relativeOffset {
            return EntryIssue(.indexOutOfOrder,
                              "timestamp \(entry.timestamp) at offset \(offset(entry)) does not follow the previous entry (timestamp \(previous.timestamp) at offset \(offset(previous)))")
        }
        return nil
    }

    func belongsAfter(_ entry: TimeIndexEntry, position: Int64, header: RecordBatchHeader) -> Bool {
        offset(entry) > header.lastOffset
    }

    func judge(_ entry: TimeIndexEntry, position: Int64, header: RecordBatchHeader, known: SegmentFacts?)
        -> (issues: [EntryIssue], unsettled: Bool) {
        let entryOffset = offset(entry)
        if entryOffset < header.baseOffset {
            return ([EntryIssue(.indexNotAtBatch, "offset \(entryOffset) is in no batch (the next batch, at position \(position), starts at offset \(header.baseOffset))")], false)
        }
        var issues: [EntryIssue] = []
        if maxBefore >= entry.timestamp {
            issues.append(EntryIssue(.timeIndexMismatch,
                                     "timestamp \(entry.timestamp) is first reached before offset \(entryOffset): an earlier batch already has timestamp \(maxBefore)"))
        }
        guard let known else { return (issues, entry.timestamp > max(maxBefore, header.maxTimestamp)) }
        let largest = known.maxTimestamp ?? Int64.min
        if entry.timestamp > largest {
            issues.append(EntryIssue(.indexBeyondLog, "timestamp \(entry.timestamp) is past the segment's largest timestamp \(largest)"))
        }
        return (issues, false)
    }

    mutating func passed(position: Int64, header: RecordBatchHeader) {
        maxBefore = max(maxBefore, header.maxTimestamp)
    }

    func judgeAfterLastBatch(_ entry: TimeIndexEntry, log: SegmentFacts) -> [EntryIssue] {
        let issue = log.lastOffset.map { "offset \(offset(entry)) is past the segment's last offset \($0)" }
            ?? "offset \(offset(entry)) is in a segment without batches"
        return [EntryIssue(.indexBeyondLog, issue)]
    }

    func settle(_ entry: TimeIndexEntry, log: SegmentFacts) -> EntryIssue? {
        let largest = log.maxTimestamp ?? Int64.min
        return entry.timestamp > largest ? EntryIssue(.indexBeyondLog, "timestamp \(entry.timestamp) is past the segment's largest timestamp \(largest)") : nil
    }
}
