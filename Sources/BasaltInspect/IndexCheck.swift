import Basalt

/// Checks an index file against its segment's log in the same pass that walks the log:
/// entries are read in file order, a chunk at a time, and each is judged by `Rules` (the
/// layout's: ``OffsetIndexRules`` or ``TimeIndexRules``) against the batch the walk has
/// reached, so memory stays flat whatever the size of either file.
struct IndexCheck<Rules: IndexRules> {
    typealias Visit = (_ slot: Int, _ entry: Rules.Entry, _ issues: [EntryIssue]) -> Void

    private var reader: IndexFileReader<Rules.Entry>
    private var rules: Rules
    /// Entries checked: the ones before the zero-filled tail.
    let usedCount: Int
    /// The log's facts when a first pass found them; nil to settle entries at the end.
    let known: SegmentFacts?
    private let visit: Visit
    private var slot = 0
    private var previous: Rules.Entry?
    /// First slot that only a later batch could make right, checked at the end.
    private var firstUnsettledSlot: Int?

    init(reader: IndexFileReader<Rules.Entry>, rules: Rules, usedCount: Int, known: SegmentFacts?, visit: @escaping Visit) {
        self.reader = reader
        self.rules = rules
        self.usedCount = usedCount
        self.known = known
        self.visit = visit
    }

    /// Judges the entries up to the batch at `position`; call for every well-formed
    /// batch in file order.
    mutating func observe(position: Int64, header: RecordBatchHeader) throws {
        while slot < usedCount {
            let entry = try reader.entry(at: slot)
            if let issue = rules.orderIssue(entry, previous: previous) {
                visit(slot, entry, [issue])
                slot += 1
                continue
            }
            if rules.belongsAfter(entry, position: position, header: header) { break }
            let judged = rules.judge(entry, position: position, header: header, known: known)
            if judged.unsettled && firstUnsettledSlot == nil { firstUnsettledSlot = slot }
            previous = entry
            visit(slot, entry, judged.issues)
            slot += 1
        }
        rules.passed(position: position, header: header)
    }

    /// Judges the entries left once the walk of the log `log` is over, and settles the
    /// ones that waited for its end.
    mutating func finish(log: SegmentFacts) throws {
        let observedEnd = slot
        while slot < usedCount {
            let entry = try reader.entry(at: slot)
            if let issue = rules.orderIssue(entry, previous: previous) {
                visit(slot, entry, [issue])
                slot += 1
                continue
            }
            previous = entry
            visit(slot, entry, rules.judgeAfterLastBatch(entry, log: log))
            slot += 1
        }
        if let first = firstUnsettledSlot {
            for index in first..<observedEnd {
                let entry = try reader.entry(at: index)
                if let issue = rules.settle(entry, log: log) { visit(index, entry, [issue]) }
            }
        }
    }
}
