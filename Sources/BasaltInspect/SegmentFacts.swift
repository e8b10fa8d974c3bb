/// What verifying one segment found out about it, beyond its problems: what summary
/// shows and repair decides from.
struct SegmentFacts: Sendable {
    /// The `.log` file.
    var logPath: String
    /// The base offset the file name encodes; nil for a file not named like a segment.
    var nameBaseOffset: Int64?
    /// Bytes in the `.log`.
    var fileBytes: Int64 = 0
    /// Well-formed batches (CRC good or bad).
    var batches = 0
    /// Records in well-formed batches.
    var records: Int64 = 0
    /// Base offset of the first well-formed batch.
    var firstBatchOffset: Int64?
    /// Last offset of the last well-formed batch.
    var lastOffset: Int64?
    /// Where the last well-formed batch ends.
    var batchesEndPosition: Int64 = 0
    /// Smallest first-timestamp and largest max-timestamp of the batches.
    var firstTimestamp: Int64?
    var maxTimestamp: Int64?
    /// Batches by codec name.
    var codecBatches: [String: Int] = [:]
    /// On-disk bytes of the batches whose uncompressed size was measured, and that size.
    var measuredBytes: Int64 = 0
    var uncompressedBytes: Int64 = 0

    /// The run of valid, contiguous batches from the start of the file, what recovery
    /// keeps: it ends at ``chainEndPosition`` with next offset ``chainNextOffset``.
    var chainEndPosition: Int64 = 0
    var chainNextOffset: Int64?
    /// Where and why the run stops early, when it does.
    var chainBreak: ChainBreak?
    /// Whether any index problem was found (missing, damaged, inconsistent, untrimmed).
    var indexNeedsRebuild = false
    /// Problems found in this segment's files.
    var problems = 0

    /// Where the valid run of batches stops before the end of the file.
    struct ChainBreak: Sendable {
        var position: Int64
        var kind: ProblemKind
        /// Where the first valid batch after the break starts, searched byte by byte as
        /// recovery does: nil for a torn tail, else damage in the middle of the log.
        var firstValidAfter: Int64?
        /// Well-formed batches with a good CRC the walk met after the break.
        var validBatchesAfter = 0
    }

    /// Whether the file holds no bytes.
    var isEmpty: Bool { fileBytes == 0 }
    /// The offset after the valid run, or the base offset for an empty segment.
    var nextOffset: Int64? { chainNextOffset ?? nameBaseOffset }
}
