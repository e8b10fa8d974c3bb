extension PartitionLog {
    /// Deletes closed segments that retention no longer keeps, oldest first: those
    /// whose newest record is older than ``LogConfig/retentionMs``, those that would keep
    /// the partition above ``LogConfig/retentionBytes`` (both only when the
    /// ``LogConfig/cleanupPolicy`` deletes), and those wholly below the log start offset. The active segment is never deleted. Raises the log start offset to
    /// the first remaining segment.
    ///
    /// Readers that still hold a deleted segment finish reading it: its descriptor and
    /// mappings live until they let go.
    ///
    /// - Returns: the number of segments deleted.
    @discardableResult
    public func enforceRetention() throws -> Int {
        let now = clock()
        let config = self.config
        let removed: [Segment] = try writer.withLock { state in
            guard !state.closed else { throw BasaltError.closed }
            var total = state.segments.reduce(Int64(0)) { $0 + $1.size }
            var count = 0
            for index in 0..<(state.segments.count - 1) {
                let segment = state.segments[index]
                let next = state.segments[index + 1].baseOffset
                // A compact-only topic keeps its segments whatever their age and size:
                // the cleaner shrinks them instead.
                let deletes = config.cleanupPolicy.deletes
                let expired = deletes && config.retentionMs >= 0 && segment.maxTimestamp >= 0
                    && now - segment.maxTimestamp > config.retentionMs
                let oversize = deletes && config.retentionBytes >= 0 && total - segment.size >= config.retentionBytes
                let belowStart = next <= state.logStartOffset
                guard expired || oversize || belowStart else { break }
                total -= segment.size
                count += 1
            }
            guard count > 0 else { return [] }
            let removed = Array(state.segments[..<count])
            let start = max(state.logStartOffset, state.segments[count].baseOffset)
            // Durable first: when the checkpoint cannot be written nothing changes, so
            // the next run tries these segments again.
            try PartitionCheckpoint(recoveryPoint: state.recoveryPoint, logStartOffset: start, clean: nil)
                .write(directory: directory, io: io)
            state.segments.removeFirst(count)
            state.logStartOffset = start
            republish(state)
            // After the new start is in force: a failed epoch write leaves epochs below the
            // log start, which the next open drops, never a segment list out of step.
            try trimLeaderEpochs(&state)
            return removed
        }
        for segment in removed { try segment.deleteFiles(io: io) }
        return removed.count
    }

    /// Makes every offset below `offset` unreadable (Kafka's DeleteRecords): raises the
    /// log start offset, durably, then deletes the segments wholly below it.
    ///
    /// - Throws: ``BasaltError/offsetOutOfRange(offset:logStartOffset:logEndOffset:)``
    ///   when `offset` is past the high watermark (the log end offset unless replicated):
    ///   records consumers cannot read yet cannot be deleted.
    public func deleteRecords(before offset: Int64) throws {
        try writer.withLock { state in
            guard !state.closed else { throw BasaltError.closed }
            let end = published.withLock { $0.highWatermark }
            guard offset <= end else {
                throw BasaltError.offsetOutOfRange(offset: offset, logStartOffset: state.logStartOffset, logEndOffset: end)
            }
            guard offset > state.logStartOffset else { return }
            try PartitionCheckpoint(recoveryPoint: state.recoveryPoint, logStartOffset: offset, clean: nil)
                .write(directory: directory, io: io)
            state.logStartOffset = offset
            try trimLeaderEpochs(&state)
            republish(state)
        }
        try enforceRetention()
    }

    /// Drops the leader epochs wholly below the log start offset, as Kafka does when
    /// retention moves it; writes the checkpoint only when that changed something.
    func trimLeaderEpochs(_ state: inout WriterState) throws {
        var epochs = state.leaderEpochs
        guard epochs.truncateFromStart(state.logStartOffset) else { return }
        try epochs.write(directory: directory, io: io)
        state.leaderEpochs = epochs
    }

    /// Publishes the segment list and log start offset of `state`, keeping the readable
    /// end where it was.
    func republish(_ state: WriterState) {
        let (endOffset, activeSize) = published.withLock { view in
            (view.endOffset, view.segments.last?.segment === state.active ? view.segments.last!.size : 0)
        }
        publish(state, endOffset: endOffset, activeSize: activeSize)
    }

    /// The first record whose timestamp is at least `timestamp`: its offset and
    /// timestamp, or nil when every record is older (Kafka's ListOffsets by time).
    public func offset(forTimestamp timestamp: Int64) throws -> (offset: Int64, timestamp: Int64)? {
        let view = published.withLock { $0 }
        let newest = writer.withLock { state in
            Dictionary(uniqueKeysWithValues: state.segments.map { (ObjectIdentifier($0), $0.maxTimestamp) })
        }
        for segmentView in view.segments {
            let segment = segmentView.segment
            guard let segmentMax = newest[ObjectIdentifier(segment)], segmentMax >= timestamp,
                  segmentView.size > 0 else { continue }
            var offset = segment.baseOffset
            if let entry = try segment.timeIndex.floor(timestamp) {
                offset = segment.baseOffset + Int64(entry.relativeOffset)
            }
            offset = max(offset, view.logStartOffset)
            guard offset < segmentView.endOffset else { continue }
            var position = try indexedStart(segmentView, for: offset)
            while position < segmentView.size {
                guard let header = try batchHeader(segmentView, at: position) else { break }
                defer { position += Int64(header.totalSize) }
                guard header.lastOffset >= view.logStartOffset, header.maxTimestamp >= timestamp else { continue }
                let bytes = try segment.log.read(count: header.totalSize, at: position)
                let records: [ConsumerRecord]
                do {
                    records = try RecordBatch(storage: bytes, allowingCompaction: true).records(from: view.logStartOffset)
                } catch let error as BasaltError {
                    throw BasaltError.corruptLog(file: segment.logPath, position: position, reason: error.description)
                }
                if let record = records.first(where: { $0.timestamp >= timestamp }) {
                    return (record.offset, record.timestamp)
                }
            }
        }
        return nil
    }
}
