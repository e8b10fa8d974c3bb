import Synchronization

/// Leader epochs, the follower's append path and the high watermark: the storage half of
/// Kafka-style replication (see `docs/format.md` for the files).
///
/// Single-node mode, the default, changes nothing for existing users: every batch is
/// stamped with epoch 0 and no `leader-epoch-checkpoint` is written until
/// ``becomeLeader(epoch:)`` is called, and the ``highWatermark`` is the log end (under
/// ``Durability/everyAppend``, the durable log end). A broker that replicates calls
/// ``enableReplication()`` right after opening the log; from then on it moves the high
/// watermark itself with ``updateHighWatermark(_:)``.
extension PartitionLog {
    /// The partition's name for errors: the directory's last component, such as `orders-0`.
    var partitionName: String {
        directory.split(separator: "/").last.map(String.init) ?? directory
    }

    /// Name of the file holding the high watermark of a log in replicated mode, beside its
    /// segments (``enableReplication()``).
    public static let highWatermarkFileName = HighWatermarkCheckpoint.fileName

    /// The size bound a follower checks replicated batches against. Not the topic's
    /// ``LogConfig/maxMessageBytes``: the leader accepted each batch under the setting of its
    /// day, and a limit lowered since (AlterConfigs applies live) must not make followers
    /// refuse the leader's history, as Kafka's followers do not. The fetched bytes bound a
    /// batch anyway: its length must lie within them.
    static let maxReplicaBatchBytes = Int(Int32.max)

    // MARK: - Leader epochs

    /// The epoch stamped on the batches this log appends as leader: the latest epoch in
    /// the ``leaderEpochCache``, or 0 when none was recorded (single-node mode).
    public var leaderEpoch: Int32 { writer.withLock { $0.leaderEpochs.latestEpoch ?? 0 } }

    /// A copy of the partition's leader epochs and their start offsets.
    public var leaderEpochCache: LeaderEpochCache { writer.withLock { $0.leaderEpochs } }

    /// Makes this replica the leader in `epoch`: records that the epoch starts at the log
    /// end offset (durably, in `leader-epoch-checkpoint`), so every batch appended with
    /// ``append(_:compression:producer:)`` or ``append(encodedBatch:)`` from now on is
    /// stamped with it.
    ///
    /// - Returns: false, changing nothing, when `epoch` is not newer than the latest
    ///   recorded epoch (a repeated or stale leader change).
    /// - Throws: ``BasaltError/closed``; ``BasaltError/io(operation:path:errno:)`` when the
    ///   checkpoint cannot be written (the epoch is then not recorded).
    @discardableResult
    public func becomeLeader(epoch: Int32) throws -> Bool {
        try writer.withLock { state in
            guard !state.closed else { throw BasaltError.closed }
            if state.pendingRollback != nil { try completeRollback(&state) }
            var epochs = state.leaderEpochs
            guard epochs.assign(epoch: epoch, startOffset: state.nextOffset) else { return false }
            try epochs.write(directory: directory, io: io)
            state.leaderEpochs = epochs
            return true
        }
    }

    /// The answer to OffsetForLeaderEpoch (and a Fetch v12+ `diverging_epoch`) for
    /// `epoch`: the largest epoch at most `epoch` this replica knows and the offset where
    /// it ends here. See ``LeaderEpochCache/endOffset(for:logEndOffset:)``; the latest
    /// epoch ends at the readable log end.
    public func endOffset(forLeaderEpoch epoch: Int32) -> (epoch: Int32, endOffset: Int64) {
        writer.withLock { state in
            let end = published.withLock { $0.endOffset }
            let answer = state.leaderEpochs.endOffset(for: epoch, logEndOffset: end)
            // An epoch recorded for a batch whose sync is still running starts past the
            // readable end; no answer may point past what a follower can fetch.
            return answer.endOffset == LeaderEpochCache.undefinedOffset ? answer : (answer.epoch, min(answer.endOffset, end))
        }
    }

    // MARK: - Appending as a follower

    /// Appends batches exactly as the leader sent them: same offsets, same leader epochs,
    /// same bytes, so the follower's segment files match the leader's for the range.
    ///
    /// `batches` is one or more whole record batches back to back (a Fetch response's
    /// records for this partition). All are checked before any is written: magic 2,
    /// length within `batches` (not ``LogConfig/maxMessageBytes``: see ``maxReplicaBatchBytes``), CRC-32C, record
    /// count, and offsets: the first batch must start at ``logEndOffset`` and each next
    /// one right after the previous. Then each is written unchanged (the log rolls as it
    /// would on the leader), indexed, and a batch whose `partitionLeaderEpoch` is newer
    /// than the latest known epoch starts that epoch in the ``leaderEpochCache``.
    ///
    /// One exception to "same bytes": when the first batch is a compacted leader's gap
    /// batch (``GapBatch``: no records, no producer) that starts before ``logEndOffset``
    /// and ends at or past it, only its part from ``logEndOffset`` on is appended, as a
    /// gap batch of its own. The leader's cleaner merged removed batches this follower
    /// had partly copied; each replica cleans on its own, so the files differ there anyway.
    ///
    /// Returns as the leader's append does: once readable and, under
    /// ``Durability/everyAppend``, durable. The high watermark does not move; the broker
    /// sets it from the leader's with ``updateHighWatermark(_:)``. Producer state is the
    /// broker's: apply ``ReplicaAppendResult/headers`` to its ``ProducerStateTable``.
    ///
    /// - Throws: ``ReplicationError/invalidReplicaBatch(partition:offset:position:cause:)``
    ///   for a truncated, oversized or damaged batch;
    ///   ``ReplicationError/nonContiguousBatch(partition:expectedOffset:baseOffset:)`` for
    ///   a gap or an overlap. Nothing is written then. A failed write throws
    ///   ``BasaltError/io(operation:path:errno:)``; the batches before it stay appended.
    @discardableResult
    public func appendAsFollower(_ batches: [UInt8]) async throws -> ReplicaAppendResult {
        let batches = trimmingLeadingGap(batches, at: logEndOffset)
        let (headers, positions) = try validateReplicaBatches(batches)
        let config = self.config
        let (result, epoch): (ReplicaAppendResult, UInt64) = try writer.withLock { state in
            guard !state.closed else { throw BasaltError.closed }
            if state.pendingRollback != nil { try completeRollback(&state) }
            if let failure = state.failure { throw failure }
            let first = state.nextOffset
            guard let head = headers.first else {
                return (ReplicaAppendResult(firstOffset: first, lastOffset: first - 1, headers: []), state.epoch)
            }
            guard head.baseOffset == first else {
                throw ReplicationError.nonContiguousBatch(partition: partitionName, expectedOffset: first, baseOffset: head.baseOffset)
            }
            defer {
                // Whatever was written before a failure is part of the log.
                if config.durability != .everyAppend, state.nextOffset != first {
                    publish(state, endOffset: state.nextOffset, activeSize: state.active.size)
                }
            }
            for (header, start) in zip(headers, positions) {
                try rollIfNeeded(&state, incoming: header)
                if header.partitionLeaderEpoch > (state.leaderEpochs.latestEpoch ?? -1) {
                    var epochs = state.leaderEpochs
                    if epochs.assign(epoch: header.partitionLeaderEpoch, startOffset: header.baseOffset) {
                        // Written before the batch: a crash in between leaves an epoch past
                        // the log end, which opening the log truncates.
                        try epochs.write(directory: directory, io: io)
                        state.leaderEpochs = epochs
                    }
                }
                let active = state.active
                let position = active.size
                do {
                    try batches.withUnsafeBytes { bytes in
                        try active.log.write(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + header.totalSize)]), at: position)
                    }
                } catch {
                    try? active.log.truncate(to: position)
                    throw error
                }
                active.didAppend(header, at: position, indexIntervalBytes: config.indexIntervalBytes)
                state.nextOffset = header.nextOffset
            }
            let last = headers[headers.count - 1].lastOffset
            return (ReplicaAppendResult(firstOffset: first, lastOffset: last, headers: headers), state.epoch)
        }
        guard !headers.isEmpty else { return result }
        try await awaitDurability(config.durability, endOffset: result.lastOffset + 1, epoch: epoch)
        return result
    }

    /// `batches` with a first batch that is a gap batch holding `end` past its base
    /// replaced by its part from `end` on (``GapBatch/init(trimming:from:)``); otherwise
    /// `batches` unchanged, for ``validateReplicaBatches(_:)`` to check.
    ///
    /// A leader's cleaner merges a run of removed batches into one gap batch, so a
    /// follower that stopped inside such a run and fetches from its log end gets a batch
    /// starting before it. Only the offsets it lacks are appended: the gap holds no
    /// records, so nothing is lost, and the batch's CRC is checked before it is trimmed.
    private func trimmingLeadingGap(_ batches: [UInt8], at end: Int64) -> [UInt8] {
        let header = try? batches.withUnsafeBytes { raw in
            try RecordBatch.checkedHeader(raw, maxBatchBytes: Self.maxReplicaBatchBytes, allowingCompaction: true)
        }
        guard let header, let trimmed = GapBatch(trimming: header, from: end) else { return batches }
        return trimmed.encoded() + batches[header.totalSize...]
    }

    /// Parses and checks every batch of `batches` and their offset continuity, outside
    /// the writer's lock. Returns each header and where its batch starts.
    private func validateReplicaBatches(_ batches: [UInt8]) throws -> ([RecordBatchHeader], [Int]) {
        var headers: [RecordBatchHeader] = []
        var positions: [Int] = []
        var cursor = 0
        while cursor < batches.count {
            let expected = headers.last?.nextOffset ?? logEndOffset
            let header: RecordBatchHeader
            do {
                header = try batches.withUnsafeBytes { raw in
                    // A compacted leader's batches may hold fewer records than offsets.
                    try RecordBatch.checkedHeader(UnsafeRawBufferPointer(rebasing: raw[cursor...]),
                                                  maxBatchBytes: Self.maxReplicaBatchBytes, allowingCompaction: true)
                }
            } catch let error as BasaltError {
                throw ReplicationError.invalidReplicaBatch(partition: partitionName, offset: expected, position: cursor, cause: error)
            }
            if let previous = headers.last, header.baseOffset != previous.nextOffset {
                throw ReplicationError.nonContiguousBatch(partition: partitionName, expectedOffset: previous.nextOffset,
                                                          baseOffset: header.baseOffset)
            }
            headers.append(header)
            positions.append(cursor)
            cursor += header.totalSize
        }
        return (headers, positions)
    }

    // MARK: - High watermark

    /// The offset below which every record is replicated to every in-sync replica:
    /// consumers read only below it (``ReadIsolation/highWatermark``).
    ///
    /// In single-node mode it is the log end as readers see it, after every append that
    /// returned, exactly as before replication existed. In replicated mode it moves only
    /// through ``updateHighWatermark(_:)`` (forward) and ``truncate(to:)`` (back), is never
    /// past the log end and never below the log start.
    public var highWatermark: Int64 { published.withLock { $0.highWatermark } }

    /// Whether ``enableReplication()`` was called.
    public var isReplicated: Bool { writer.withLock { $0.replicated } }

    /// Switches the log to replicated mode; call it once, right after opening and before
    /// appending. The high watermark then starts at the `high-watermark` checkpoint found
    /// when the log opened (capped at the recovered log end; the log start offset when
    /// there was none), so a restart never exposes records that were not replicated, and
    /// from then on moves only through ``updateHighWatermark(_:)`` and truncation. Closing
    /// the log writes the checkpoint.
    public func enableReplication() {
        writer.withLock { state in
            guard !state.replicated else { return }
            state.replicated = true
            state.highWatermark = state.openedHighWatermark
            republish(state)
        }
        signal.changed(self)
    }

    /// Raises the high watermark to `offset`, capped at the readable log end (a follower
    /// passes the leader's high watermark; a leader the smallest log end of its in-sync
    /// replicas). Never moves it back. Wakes waiting readers when it moves.
    ///
    /// In single-node mode the high watermark follows the log end and this does nothing.
    ///
    /// - Returns: the high watermark afterwards.
    @discardableResult
    public func updateHighWatermark(_ offset: Int64) -> Int64 {
        let (moved, highWatermark): (Bool, Int64) = writer.withLock { state in
            let view = published.withLock { $0 }
            guard state.replicated, !state.closed else { return (false, view.highWatermark) }
            let target = min(offset, view.endOffset)
            guard target > view.highWatermark else { return (false, view.highWatermark) }
            state.highWatermark = target
            republish(state)
            return (true, published.withLock { $0.highWatermark })
        }
        if moved { signal.changed(self) }
        return highWatermark
    }

    /// Writes the high watermark to the `high-watermark` checkpoint when it changed since
    /// the last write; a broker calls it periodically (Kafka: every
    /// `replica.high.watermark.checkpoint.interval.ms`, 5 s). Costs a small file write, an
    /// `fdatasync` and a directory `fsync`; appends are not blocked meanwhile. Does nothing
    /// in single-node mode.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)``.
    public func checkpointHighWatermark() throws {
        guard isReplicated else { return }
        try writeHighWatermarkCheckpoint(onlyIfLower: false)
    }

    /// Writes the published high watermark to its checkpoint unless the file already
    /// holds it, or (with `onlyIfLower`, after a truncation) holds a value at or below it.
    func writeHighWatermarkCheckpoint(onlyIfLower: Bool) throws {
        try highWatermarkFile.withLock { written in
            let current = published.withLock { $0.highWatermark }
            if let written, written == current || (onlyIfLower && written < current) { return }
            try HighWatermarkCheckpoint.write(current, directory: directory, io: io)
            written = current
        }
    }
}
