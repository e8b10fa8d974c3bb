import Glibc

/// What the log offers its cleaner (``LogCleaner``): a snapshot of its closed segments,
/// the swap of cleaned segments under the partition lock, and the cleaner checkpoint.
extension PartitionLog {
    /// Name of the file holding the first offset not yet cleaned (Kafka keeps one per log
    /// directory, `cleaner-offset-checkpoint`; Basalt keeps one per partition).
    public static let cleanerCheckpointFileName = "cleaner-offset-checkpoint"

    /// The closed segments and bounds the cleaner works from. Closed segments never
    /// change, so the cleaner reads them without the lock.
    struct CleanerSnapshot {
        /// Closed segments, oldest first (the active segment is never cleaned).
        var closed: [Segment]
        /// Where each closed segment ends (the next segment's base offset).
        var ends: [Int64]
        var logStartOffset: Int64
        /// Base offset of the active segment.
        var activeBaseOffset: Int64
        /// Offsets at or past it are not cleaned: the high watermark (replicated mode).
        var highWatermark: Int64
        /// The cleaner checkpoint, clamped into the closed segments.
        var firstDirtyOffset: Int64
    }

    func cleanerSnapshot() throws -> CleanerSnapshot {
        let (segments, logStart) = try writer.withLock { state in
            guard !state.closed else { throw BasaltError.closed }
            return (state.segments, state.logStartOffset)
        }
        let highWatermark = published.withLock { $0.highWatermark }
        let closed = Array(segments.dropLast())
        let ends = Array(segments.dropFirst().map(\.baseOffset))
        let active = segments[segments.count - 1].baseOffset
        let stored = try readCleanerCheckpoint() ?? 0
        let firstDirty = min(max(stored, logStart, closed.first?.baseOffset ?? active), active)
        return CleanerSnapshot(closed: closed, ends: ends, logStartOffset: logStart, activeBaseOffset: active,
                               highWatermark: highWatermark, firstDirtyOffset: firstDirty)
    }

    /// The stored first dirty offset, or nil when the log was never cleaned.
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for a file that is not
    ///   one decimal offset.
    func readCleanerCheckpoint() throws -> Int64? {
        let path = directory + "/" + Self.cleanerCheckpointFileName
        guard let bytes = try AtomicFile.read(path, maxBytes: 64, io: io) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        guard let offset = Int64(text), offset >= 0 else {
            throw BasaltError.corruptLog(file: path, position: 0, reason: "not an offset")
        }
        return offset
    }

    /// Records that everything below `offset` is clean. Best effort for correctness: a
    /// stale checkpoint only makes the next clean read more.
    func writeCleanerCheckpoint(_ offset: Int64) throws {
        try AtomicFile.replace(directory + "/" + Self.cleanerCheckpointFileName, with: Array("\(offset)\n".utf8), io: io)
    }

    /// Replaces the run `old` of closed segments with the cleaned segment written at
    /// `cleaned` (its `.cleaned` files, synced), following ``CompactionSwap``, under the
    /// partition lock so appends, retention and truncation see the old run or the new
    /// segment. Readers holding the old segments keep reading them.
    ///
    /// - Returns: false, with the cleaned files removed, when the run is no longer in the
    ///   log as it was (retention or truncation changed it meanwhile).
    /// - Throws: the I/O errors of the swap. One before the commit leaves the old run in
    ///   place; one after it stops appends until the log is reopened, where recovery
    ///   completes the swap.
    func replaceSegments(_ old: [Segment], with cleaned: Segment) throws -> Bool {
        precondition(!old.isEmpty && cleaned.baseOffset == old[0].baseOffset, "a swap replaces a run from its base offset")
        let replaced: Bool = try writer.withLock { state in
            guard !state.closed, state.failure == nil,
                  let first = state.segments.firstIndex(where: { $0 === old[0] }),
                  first + old.count < state.segments.count,
                  zip(state.segments[first..<(first + old.count)], old).allSatisfy({ $0 === $1 }) else { return false }
            try CompactionSwap.commit(directory: directory, baseOffset: cleaned.baseOffset, io: io)
            do {
                try CompactionSwap.complete(directory: directory, baseOffset: cleaned.baseOffset,
                                            replacedBases: old.map(\.baseOffset), io: io)
                let fresh = try Segment.open(directory: directory, baseOffset: cleaned.baseOffset, config: config, io: io,
                                             active: false, rebuildIndexes: false, nowMs: clock())
                fresh.nextOffset = cleaned.nextOffset
                fresh.maxTimestamp = cleaned.maxTimestamp
                fresh.offsetOfMaxTimestamp = cleaned.offsetOfMaxTimestamp
                fresh.firstBatchTimestamp = cleaned.firstBatchTimestamp
                fresh.bytesSinceIndexEntry = cleaned.bytesSinceIndexEntry
                state.segments.replaceSubrange(first..<(first + old.count), with: [fresh])
                republish(state)
            } catch let error as BasaltError {
                // Committed on disk but not in memory: the old segments' files may be gone.
                // Appends stop; the next open completes the swap.
                state.failure = error
                throw error
            }
            return true
        }
        if !replaced { try CompactionSwap.discard(directory: directory, baseOffset: cleaned.baseOffset, io: io) }
        return replaced
    }
}
