/// Cutting the end of the log, as a follower does when its history diverged from its
/// new leader's (Kafka's `truncateTo` and `truncateFullyAndStartAt`).
///
/// Safe for concurrent readers. A truncation first publishes a read view that no longer
/// shows the doomed records, then deletes and cuts files. A reader that took the older
/// view before that keeps its segments' descriptors and index mappings, so it never
/// traps: it finds either the bytes that were there, a short read reported as
/// ``BasaltError/corruptLog(file:position:reason:)``, or the new batches appended at the
/// same offsets afterwards (which pass their CRC, or are reported the same way).
extension PartitionLog {
    /// Removes every record at or after `offset`: whole later segments, the tail of the
    /// segment that holds `offset` and its index entries, epochs that start at or after
    /// the new end, producer-state snapshots above it, and the high watermark above it.
    ///
    /// When `offset` falls inside a batch the whole batch goes, as in Kafka: the new end
    /// is that batch's base offset. A batch's offsets are never split.
    ///
    /// Appends that were still waiting for their `fdatasync` fail with
    /// ``ReplicationError/truncated(partition:offset:)``, even those below the new end,
    /// whose records stay in the log (now synced). Producer state lives in the broker:
    /// rebuild it with ``ProducerStateTable/load(for:)`` afterwards.
    ///
    /// Costs a scan of the batch headers of the segment that holds the new end (its
    /// indexes are rebuilt from them) and a few file system calls.
    ///
    /// - Returns: the new log end offset; the current one when `offset` is at or past it.
    /// - Throws: ``BasaltError/offsetOutOfRange(offset:logStartOffset:logEndOffset:)`` when
    ///   `offset` is below the log start offset (use ``truncateFullyAndStartAt(_:)``);
    ///   ``BasaltError/closed``; ``BasaltError/io(operation:path:errno:)`` and
    ///   ``BasaltError/corruptLog(file:position:reason:)`` when the files cannot be cut, after
    ///   which the log takes no appends until reopened (and recovered).
    @discardableResult
    public func truncate(to offset: Int64) throws -> Int64 {
        let (newEnd, lowered) = try writer.withLock { state -> (Int64, Bool) in
            guard !state.closed else { throw BasaltError.closed }
            if state.pendingRollback != nil { try completeRollback(&state) }
            if let failure = state.failure { throw failure }
            guard offset >= state.logStartOffset else {
                throw BasaltError.offsetOutOfRange(offset: offset, logStartOffset: state.logStartOffset,
                                                   logEndOffset: state.nextOffset)
            }
            guard offset < state.nextOffset else { return (state.nextOffset, false) }
            guard let index = state.segments.lastIndex(where: { $0.baseOffset <= offset }) else {
                throw BasaltError.offsetOutOfRange(offset: offset, logStartOffset: state.logStartOffset,
                                                   logEndOffset: state.nextOffset)
            }
            let segment = state.segments[index]
            let (position, newEnd) = try cutPoint(in: segment, for: offset)
            let previousHighWatermark = published.withLock { $0.highWatermark }

            // Readers first: from here on no new read sees the records being removed.
            if published.withLock({ $0.endOffset }) > newEnd {
                var hidden = state
                hidden.segments = Array(state.segments[...index])
                hidden.highWatermark = min(state.highWatermark, newEnd)
                hidden.logStartOffset = min(state.logStartOffset, newEnd)
                publish(hidden, endOffset: newEnd, activeSize: position)
            }
            // Waiters for syncs of the old tail learn that it was cut.
            state.epoch += 1
            state.lastCutFailure = ReplicationError.truncated(partition: partitionName, offset: newEnd)
            do {
                try cutFiles(&state, keeping: index, position: position, newEnd: newEnd)
            } catch let error as BasaltError {
                state.failure = error
                throw error
            }
            state.highWatermark = min(state.highWatermark, newEnd)
            publish(state, endOffset: newEnd, activeSize: state.active.size)
            return (newEnd, published.withLock { $0.highWatermark } < previousHighWatermark)
        }
        if lowered && isReplicated { try writeHighWatermarkCheckpoint(onlyIfLower: true) }
        signal.changed(self)
        return newEnd
    }

    /// Removes every segment and starts the log over, empty, at `offset`: what a follower
    /// does when its log ends below the leader's log start offset (or its whole history
    /// diverged). The log start offset, the log end and the high watermark become
    /// `offset`; the leader epoch cache and producer-state snapshots are cleared.
    ///
    /// Readers holding an older view keep reading the deleted segments' descriptors.
    /// Appends waiting for their sync fail with ``ReplicationError/truncated(partition:offset:)``.
    ///
    /// - Throws: ``BasaltError/invalidConfiguration(_:)`` for a negative offset;
    ///   ``BasaltError/closed``; ``BasaltError/io(operation:path:errno:)``, after which the
    ///   log takes no appends until reopened.
    public func truncateFullyAndStartAt(_ offset: Int64) throws {
        guard offset >= 0 else { throw BasaltError.invalidConfiguration("a log cannot start at offset \(offset)") }
        try writer.withLock { state in
            guard !state.closed else { throw BasaltError.closed }
            if state.pendingRollback != nil { try completeRollback(&state) }
            if let failure = state.failure { throw failure }
            state.epoch += 1
            state.lastCutFailure = ReplicationError.truncated(partition: partitionName, offset: offset)
            do {
                try ProducerStateTable.deleteSnapshots(after: nil, in: directory, io: io)
                // The log start goes first: a crash part-way then opens a log whose
                // segments below it are removed as retention leftovers.
                try PartitionCheckpoint(recoveryPoint: offset, logStartOffset: offset, clean: nil)
                    .write(directory: directory, io: io)
                removeLeftoverOfFailedRoll(&state)
                for segment in state.segments.reversed() { try segment.deleteFiles(io: io) }
                let fresh = try Segment.create(directory: directory, baseOffset: offset, config: config, io: io, nowMs: clock())
                state.segments = [fresh]
                state.nextOffset = offset
                state.logStartOffset = offset
                state.durableOffset = offset
                state.recoveryPoint = offset
                state.highWatermark = offset
                if !state.leaderEpochs.entries.isEmpty {
                    var epochs = state.leaderEpochs
                    epochs.removeAll()
                    try epochs.write(directory: directory, io: io)
                    state.leaderEpochs = epochs
                }
            } catch let error as BasaltError {
                state.failure = error
                throw error
            }
            publish(state, endOffset: offset, activeSize: 0)
        }
        if isReplicated { try writeHighWatermarkCheckpoint(onlyIfLower: false) }
        signal.changed(self)
    }

    /// Where to cut `segment` for `offset`: the byte position and base offset of the batch
    /// that holds it (scanned from the offset index's nearest entry).
    private func cutPoint(in segment: Segment, for offset: Int64) throws -> (position: Int64, newEnd: Int64) {
        let view = SegmentView(segment: segment, size: segment.size, endOffset: segment.nextOffset)
        var position = try indexedStart(view, for: offset)
        while position < view.size {
            guard let header = try batchHeader(view, at: position) else { break }
            if header.lastOffset >= offset { return (position, header.baseOffset) }
            position += Int64(header.totalSize)
        }
        throw BasaltError.corruptLog(file: segment.logPath, position: position,
                                     reason: "no batch holds offset \(offset), which is below the segment's end \(segment.nextOffset)")
    }

    /// Cuts the files: producer snapshots above the new end, later segments (newest first,
    /// so a crash never leaves a gap), the tail of segment `index`, whose indexes are
    /// rebuilt in a fresh active ``Segment`` (readers keep the old one), the epoch cache,
    /// and the partition checkpoint.
    private func cutFiles(_ state: inout WriterState, keeping index: Int, position: Int64, newEnd: Int64) throws {
        try ProducerStateTable.deleteSnapshots(after: newEnd, in: directory, io: io)
        removeLeftoverOfFailedRoll(&state)
        for segment in state.segments[(index + 1)...].reversed() { try segment.deleteFiles(io: io) }
        let old = state.segments[index]
        state.segments.removeSubrange((index + 1)...)
        let fresh = try Segment.open(directory: directory, baseOffset: old.baseOffset, config: config, io: io,
                                     active: true, rebuildIndexes: true, nowMs: clock())
        try fresh.log.truncate(to: position)
        _ = try SegmentRecovery.recover(fresh, config: config)
        guard fresh.nextOffset == newEnd, fresh.size == position else {
            throw BasaltError.corruptLog(file: fresh.logPath, position: fresh.size,
                                         reason: "truncation to offset \(newEnd) left the segment ending at \(fresh.nextOffset)")
        }
        try fresh.log.sync()
        state.segments[index] = fresh
        state.nextOffset = newEnd
        state.durableOffset = newEnd
        state.recoveryPoint = min(state.recoveryPoint, newEnd)
        state.logStartOffset = min(state.logStartOffset, newEnd)
        var epochs = state.leaderEpochs
        if epochs.truncateFromEnd(newEnd) {
            try epochs.write(directory: directory, io: io)
            state.leaderEpochs = epochs
        }
        try PartitionCheckpoint(recoveryPoint: state.recoveryPoint, logStartOffset: state.logStartOffset, clean: nil)
            .write(directory: directory, io: io)
    }

    /// A roll that failed creating its segment may have left files named after the log
    /// end; once the end moves they would look like a later segment, so they go now.
    private func removeLeftoverOfFailedRoll(_ state: inout WriterState) {
        guard state.rollRequired else { return }
        let paths = Segment.paths(directory: directory, baseOffset: state.nextOffset)
        guard state.active.baseOffset != state.nextOffset else { return }
        for path in [paths.log, paths.offsetIndex, paths.timeIndex] { try? Segment.removeIfPresent(path, io: io) }
        state.rollRequired = false
    }
}
