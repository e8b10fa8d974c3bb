extension PartitionLog {
    /// Calls `body` with the header of every batch from the one holding `offset` to the
    /// readable end of the log, in offset order, reading 61 bytes per batch and nothing
    /// of the records.
    ///
    /// What a broker needs to rebuild state the batches carry in their headers (producer
    /// ids, epochs and sequences) without decoding records. `offset` is clamped into
    /// `[logStartOffset, logEndOffset]`.
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for a damaged header,
    ///   and whatever `body` throws.
    public func forEachBatchHeader(from offset: Int64, _ body: (RecordBatchHeader) throws -> Void) throws {
        let view = published.withLock { $0 }
        let start = min(max(offset, view.logStartOffset), view.endOffset)
        guard let location = try locate(start, in: view) else { return }
        var segmentIndex = location.segmentIndex
        var position = location.position
        while segmentIndex < view.segments.count {
            let segmentView = view.segments[segmentIndex]
            while position < segmentView.size {
                guard let header = try batchHeader(segmentView, at: position) else { break }
                try body(header)
                position += Int64(header.totalSize)
            }
            segmentIndex += 1
            position = 0
        }
    }
}
