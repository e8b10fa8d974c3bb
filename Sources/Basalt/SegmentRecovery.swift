/// Decides what in a segment's log is valid after an unclean shutdown, truncates the
/// rest, and rebuilds the segment's indexes from the batches it keeps.
///
/// Rules, in order, for each position from the start of the log:
/// 1. A well-formed batch with a matching CRC and the expected base offset (the previous
///    batch's next offset, or the segment's base offset first) is kept. Compacted
///    segments keep this rule: the log cleaner covers the offsets of the batches it
///    removes with an empty batch (see ``LogCleaner``), so the base offset, which the CRC
///    does not cover, can still be checked.
/// 2. Anything else is where valid data ends. If a valid batch starts anywhere in the
///    bytes after it (searched byte by byte, so a damaged length field cannot hide it), this is damage in the middle of the log, not a torn write: recovery stops
///    with ``BasaltError/corruptLog(file:position:reason:)`` and changes nothing, since
///    truncating would drop records that were written after it.
/// 3. Otherwise it is a torn tail: the log is truncated to the end of the last kept batch.
///
/// The last batch written before a `kill -9` or power loss can be partial, so it fails
/// rule 1 and nothing valid follows it: the torn tail of rule 3. Acknowledged batches under
/// ``Durability/everyAppend`` were synced before they were acknowledged and precede it.
enum SegmentRecovery {
    struct Outcome: Equatable {
        /// Bytes cut from the end of the log.
        var truncatedBytes: Int64
        /// Why the cut started where it did, when there was one.
        var reason: String?
    }

    /// Recovers `segment` in place. Its indexes must have been opened empty (or are
    /// cleared here) with room for entries.
    static func recover(_ segment: Segment, config: LogConfig) throws -> Outcome {
        segment.offsetIndex.truncate(toCount: 0)
        segment.timeIndex.truncate(toCount: 0)
        segment.size = 0
        segment.nextOffset = segment.baseOffset
        segment.bytesSinceIndexEntry = 0
        segment.maxTimestamp = -1
        segment.offsetOfMaxTimestamp = segment.baseOffset
        segment.firstBatchTimestamp = nil

        var scanner = try SegmentScanner(file: segment.log)
        var expected = segment.baseOffset
        while true {
            let finding = try scanner.next()
            let problem: (position: Int64, reason: String)
            switch finding {
            case .end:
                return Outcome(truncatedBytes: 0, reason: nil)
            case .batch(let position, let header, let crcValid):
                if !crcValid {
                    problem = (position, "CRC mismatch")
                } else if header.baseOffset != expected {
                    problem = (position, "base offset \(header.baseOffset), expected \(expected)")
                } else if header.lastOffset - segment.baseOffset > Int64(Int32.max) {
                    problem = (position, "offset \(header.lastOffset) does not fit the segment's 32-bit range")
                } else if position > Int64(Int32.max) {
                    // Index entries hold 32-bit positions, as Kafka's; segments are at
                    // most `Int32.max` bytes (``LogConfig/segmentBytes``).
                    problem = (position, "byte position does not fit the index's 32-bit range")
                } else {
                    if segment.indexesFull {
                        throw BasaltError.corruptIndex(file: segment.offsetIndex.path, reason: "index capacity exceeded while rebuilding")
                    }
                    segment.didAppend(header, at: position, indexIntervalBytes: config.indexIntervalBytes)
                    expected = header.nextOffset
                    continue
                }
            case .invalid(let position, let reason, _):
                problem = (position, reason)
            }
            if let valid = try scanner.firstValidBatch(from: problem.position + 1) {
                throw BasaltError.corruptLog(
                    file: segment.logPath, position: problem.position,
                    reason: "\(problem.reason), followed by a valid batch at byte \(valid)")
            }
            let truncated = scanner.fileSize - problem.position
            try segment.log.truncate(to: problem.position)
            try segment.log.sync()
            return Outcome(truncatedBytes: truncated, reason: problem.reason)
        }
    }
}
