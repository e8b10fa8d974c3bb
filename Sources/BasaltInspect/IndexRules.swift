import Basalt

/// What tells a right index entry from a wrong one, for one index layout: the part of
/// checking an index against its log that differs between `.index` and `.timeindex`.
/// ``IndexCheck`` walks the entries beside the log and asks these rules about each.
protocol IndexRules {
    associatedtype Entry: IndexEntry

    /// What `dump` calls the index: `offset` or `time`.
    static var indexName: String { get }

    /// Whether `entry` is a zero-filled preallocated slot.
    static func isZero(_ entry: Entry) -> Bool

    /// The entry's offset, in a segment whose base offset is `baseOffset`.
    static func offset(_ entry: Entry, baseOffset: Int64) -> Int64

    /// The entry's fields as `dump` prints them, in order.
    static func fields(_ entry: Entry, baseOffset: Int64) -> [(name: String, value: Int64)]

    /// An issue when `entry` does not follow `previous` (the last entry in order), so a
    /// binary search over the index could go wrong.
    func orderIssue(_ entry: Entry, previous: Entry?) -> EntryIssue?

    /// Whether `entry` is judged at a batch after the one at `position`.
    func belongsAfter(_ entry: Entry, position: Int64, header: RecordBatchHeader) -> Bool

    /// Judges `entry` against the batch at `position`, the first batch it does not belong
    /// after. `known` holds the whole log's facts when a first pass found them. Returns
    /// `unsettled` when the entry is right only if a later batch reaches it, which is
    /// known once the log is walked.
    func judge(_ entry: Entry, position: Int64, header: RecordBatchHeader, known: SegmentFacts?)
        -> (issues: [EntryIssue], unsettled: Bool)

    /// Takes in the batch at `position` once every entry up to it is judged.
    mutating func passed(position: Int64, header: RecordBatchHeader)

    /// Judges an entry that belongs after the last batch of the log `log`.
    func judgeAfterLastBatch(_ entry: Entry, log: SegmentFacts) -> [EntryIssue]

    /// The issue of an unsettled entry now that the whole log `log` is walked, if any.
    func settle(_ entry: Entry, log: SegmentFacts) -> EntryIssue?
}
