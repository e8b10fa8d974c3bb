import Synchronization

/// Compacts partitions whose ``LogConfig/cleanupPolicy`` compacts: rewrites their
/// closed segments keeping only the latest record of each key (Kafka's `LogCleaner`,
/// separate from the log it cleans).
///
/// A clean of one partition:
/// 1. Bounds. The dirty section runs from the cleaner checkpoint to the first
///    uncleanable offset: the active segment, the high watermark, and the first segment
///    holding a record younger than ``LogConfig/minCompactionLagMs``. The partition is
///    cleaned when dirty bytes / closed bytes ≥ ``LogConfig/minCleanableDirtyRatio``, or
///    when the dirty section's first segment is older than ``LogConfig/maxCompactionLagMs``.
/// 2. Key map. The dirty section's records are read in order into the ``OffsetMap``
///    (key hash → latest offset). When the map fills, the clean covers the dirty section
///    up to the last offset it holds and the next round goes on from there.
/// 3. Rewrite. Every closed segment up to that offset (the clean section too, since newer
///    keys supersede records there) is read, and a record is kept when the map has no
///    later offset for its key. Keyless records go (Kafka's rule). Tombstones stay until
///    the delete horizon their batch got when first cleaned (now +
///    ``LogConfig/deleteRetentionMs``) has passed. See ``CompactedBatch`` for how a batch
///    is rewritten and which empty batches are kept: the last batch of each producer id,
///    so the producer state rebuilt from the log still knows its last sequence, and the
///    last batch of each output segment, so segments stay contiguous. Each run of removed
///    batches is covered by one empty batch spanning their offsets (``GapBatch``), so
///    batches stay contiguous too: recovery, `basalt-inspect verify` and followers keep
///    checking each batch's base offset, which its CRC does not cover.
/// 4. Runs of consecutive segments that fit one segment (``LogConfig/segmentBytes``, the
///    index capacity, a 32-bit offset range) are written as one, and swapped in under the
///    partition lock with ``CompactionSwap``'s crash-safe protocol; then the checkpoint
///    moves to the end offset.
///
/// Offsets never change and the active segment is never touched. Memory: the key map
/// (``keyMapBytes``) plus a read window and one batch. Each replica cleans on its own.
///
/// Thread safety: one clean at a time; ``clean(_:nowMs:)`` blocks while another runs.
public final class LogCleaner: Sendable {
    /// Bytes of the key map (24 per key slot, 90% usable).
    public let keyMapBytes: Int
    private let map: Mutex<OffsetMap?>

    /// A cleaner whose key map uses `keyMapBytes` (allocated at the first clean).
    public init(keyMapBytes: Int = 16 << 20) {
        self.keyMapBytes = keyMapBytes
        self.map = Mutex(nil)
    }

    /// Cleans `log` if it compacts and its dirty section is eligible.
    ///
    /// - Parameter force: clean whatever the dirty ratio, and rewrite the clean section
    ///   even when nothing is dirty (tests, operators).
    /// - Returns: what the clean did, or nil when there was nothing to clean.
    /// - Throws: ``BasaltError/closed`` when the log closed; the I/O and corruption errors
    ///   of reading and swapping (the log stays as it was, or, for an error after a swap
    ///   committed, stops taking appends until reopened).
    @discardableResult
    public func clean(_ log: PartitionLog, nowMs: Int64? = nil, force: Bool = false) throws -> CleanerStats? {
        let config = log.config
        guard config.cleanupPolicy.compacts else { return nil }
        return try map.withLock { map in
            let offsetMap = map ?? OffsetMap(memoryBytes: keyMapBytes)
            map = offsetMap
            return try Self.clean(log, config: config, map: offsetMap, nowMs: nowMs ?? log.clock(), force: force)
        }
    }

    /// Blocks until no clean is running.
    func waitUntilIdle() {
        map.withLock { _ in }
    }

    private static func clean(
        _ log: PartitionLog, config: LogConfig, map: OffsetMap, nowMs: Int64, force: Bool
    ) throws -> CleanerStats? {
        let started = WallClock.milliseconds()
        let snapshot = try log.cleanerSnapshot()
        guard !snapshot.closed.isEmpty else { return nil }

        // 1. Bounds.
        var firstUncleanable = min(snapshot.activeBaseOffset, max(snapshot.highWatermark, snapshot.logStartOffset))
        if config.minCompactionLagMs > 0 {
            for segment in snapshot.closed where segment.maxTimestamp > nowMs &- config.minCompactionLagMs {
                firstUncleanable = min(firstUncleanable, segment.baseOffset)
                break
            }
        }
        let firstDirty = snapshot.firstDirtyOffset
        guard firstDirty < firstUncleanable || force else { return nil }
        var cleanBytes: Int64 = 0
        var dirtyBytes: Int64 = 0
        var firstDirtySegment: Segment?
        for (index, segment) in snapshot.closed.enumerated() {
            let end = snapshot.ends[index]
            if end <= firstDirty {
                cleanBytes += segment.size
            } else if segment.baseOffset < firstUncleanable {
                dirtyBytes += segment.size
                if firstDirtySegment == nil { firstDirtySegment = segment }
            }
        }
        let ratio = cleanBytes + dirtyBytes == 0 ? 0 : Double(dirtyBytes) / Double(cleanBytes + dirtyBytes)
        let overdue = config.maxCompactionLagMs < .max && (firstDirtySegment?.firstBatchTimestamp).map {
            $0 < nowMs &- config.maxCompactionLagMs
        } ?? false
        guard force || overdue || ratio >= config.minCleanableDirtyRatio else { return nil }

        // 2. Key map of the dirty section.
        map.clear()
        var endOffset = firstDirty
        var full = false
        scan: for (index, segment) in snapshot.closed.enumerated() where snapshot.ends[index] > firstDirty {
            guard segment.baseOffset < firstUncleanable else { break }
            var reader = SegmentBatchReader(segment: segment, size: segment.size)
            while let (batch, _) = try reader.next() {
                let header = batch.header
                if header.lastOffset < firstDirty { continue }
                if header.nextOffset > firstUncleanable { break scan }
                if !header.isControl {
                    try forEachKey(batch, file: segment.logPath) { offset, key in
                        guard offset >= firstDirty else { return true }
                        guard !map.isFull else { full = true; return false }
                        map.put(KeyHash(key), offset: offset)
                        endOffset = offset + 1
                        return true
                    }
                }
                if full { break scan }
                endOffset = header.nextOffset
            }
        }
        // Forced with nothing dirty: the clean section is still rewritten, which drops
        // tombstones whose delete horizon has passed.
        guard endOffset > firstDirty || force else { return nil }

        // The last batch of each producer, anywhere in the log: kept even when emptied.
        var lastBatchOfProducer: [Int64: Int64] = [:]
        try log.forEachBatchHeader(from: snapshot.logStartOffset) { header in
            if header.producerId >= 0 { lastBatchOfProducer[header.producerId] = header.lastOffset }
        }
        let producerLastOffsets = Set(lastBatchOfProducer.values)

        // 3 and 4. Rewrite the segments up to the end offset, in groups.
        var stats = CleanerStats(firstOffset: snapshot.logStartOffset, endOffset: endOffset, segmentsRead: 0,
                                 segmentsWritten: 0, bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRemoved: 0,
                                 dirtyRatio: ratio, durationMs: 0)
        let toClean = snapshot.closed.indices.filter { snapshot.closed[$0].baseOffset < endOffset }
        for group in groups(toClean, snapshot: snapshot, config: config) {
            let old = group.map { snapshot.closed[$0] }
            let groupEnd = snapshot.ends[group.last!]
            let cleaned = try Segment.create(directory: log.directory, baseOffset: old[0].baseOffset, config: config,
                                             io: log.io, nowMs: nowMs, suffix: CompactionSwap.cleanedSuffix)
            // Offsets of removed batches not yet covered by a gap batch.
            var gap: GapBatch?
            func flushGap() throws {
                guard let pending = gap else { return }
                let bytes = pending.encoded()
                try write(bytes[...], header: try bytes.withUnsafeBytes { try RecordBatchHeader(parsing: $0) },
                          to: cleaned, config: config)
                gap = nil
            }
            do {
                for segment in old {
                    stats.bytesRead += segment.size
                    var reader = SegmentBatchReader(segment: segment, size: segment.size)
                    while let (batch, _) = try reader.next() {
                        let header = batch.header
                        let retainEmpty = header.nextOffset == groupEnd
                            || (header.producerId >= 0 && producerLastOffsets.contains(header.lastOffset))
                        var seen: Int64 = 0
                        var keptCount: Int64 = 0
                        let outcome: CompactedBatch.Outcome
                        do {
                            outcome = try CompactedBatch.filter(
                                batch, nowMs: nowMs, deleteRetentionMs: config.deleteRetentionMs, retainEmpty: retainEmpty
                            ) { candidate, horizonPassed in
                                seen += 1
                                guard let key = candidate.key else { return false }
                                if let latest = map.get(KeyHash(key)), latest > candidate.offset { return false }
                                // Only within the range the key map covered: there every older
                                // record of the key is removed in this same clean, so no older
                                // value can outlive its tombstone.
                                if candidate.isTombstone && horizonPassed && candidate.offset < endOffset { return false }
                                keptCount += 1
                                return true
                            }
                        } catch let error as BasaltError {
                            throw BasaltError.corruptLog(file: segment.logPath, position: reader.position, reason: error.description)
                        }
                        stats.recordsRead += seen
                        switch outcome {
                        case .dropped:
                            stats.recordsRemoved += seen
                            if let pending = gap, pending.canExtend(with: header) {
                                gap?.extend(with: header)
                            } else {
                                try flushGap()
                                gap = GapBatch(header)
                            }
                        case .unchanged:
                            try flushGap()
                            try write(batch.bytes, header: header, to: cleaned, config: config)
                        case .rewritten(let bytes):
                            try flushGap()
                            stats.recordsRemoved += seen - keptCount
                            let rewritten = try bytes.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }
                            try write(bytes[...], header: rewritten, to: cleaned, config: config)
                        }
                    }
                }
                try flushGap()
                try cleaned.seal()
                stats.bytesWritten += cleaned.size
                guard cleaned.nextOffset == groupEnd || cleaned.isEmpty else {
                    throw BasaltError.corruptLog(file: cleaned.logPath, position: cleaned.size,
                                                 reason: "cleaned segment ends at \(cleaned.nextOffset), expected \(groupEnd)")
                }
                if cleaned.isEmpty {
                    // Nothing ends the run (it held no batch): leave it as it is.
                    try CompactionSwap.discard(directory: log.directory, baseOffset: cleaned.baseOffset, io: log.io)
                    continue
                }
                cleaned.nextOffset = groupEnd
                guard try log.replaceSegments(old, with: cleaned) else { return nil }
                stats.segmentsRead += old.count
                stats.segmentsWritten += 1
            } catch {
                try? CompactionSwap.discard(directory: log.directory, baseOffset: cleaned.baseOffset, io: log.io)
                throw error
            }
        }
        try log.writeCleanerCheckpoint(endOffset)
        stats.durationMs = WallClock.milliseconds() - started
        return stats
    }

    /// Calls `body` with the offset and key of each keyed record of `batch`, until it
    /// returns false.
    private static func forEachKey(
        _ batch: RecordBatch, file: String, _ body: (Int64, UnsafeRawBufferPointer) -> Bool
    ) throws {
        var going = true
        do {
            _ = try CompactedBatch.filter(batch, nowMs: 0, deleteRetentionMs: 0, retainEmpty: false) { candidate, _ in
                guard going, let key = candidate.key else { return false }
                going = body(candidate.offset, key)
                return false
            }
        } catch let error as BasaltError {
            throw BasaltError.corruptLog(file: file, position: 0, reason: error.description)
        }
    }

    private static func write(
        _ bytes: ArraySlice<UInt8>, header: RecordBatchHeader, to segment: Segment, config: LogConfig
    ) throws {
        let position = segment.size
        guard !segment.indexesFull, position + Int64(bytes.count) <= Int64(Int32.max) else {
            throw BasaltError.corruptIndex(file: segment.offsetIndex.path, reason: "a cleaned segment outgrew its index")
        }
        try bytes.withUnsafeBytes { try segment.log.write($0, at: position) }
        segment.didAppend(header, at: position, indexIntervalBytes: config.indexIntervalBytes)
    }

    /// Splits the segment indices into runs of consecutive segments whose total size fits
    /// one segment, whose entries fit one index, and whose offsets fit 32 bits relative to
    /// the run's base (Kafka's `groupSegmentsBySize`).
    private static func groups(_ indices: [Int], snapshot: PartitionLog.CleanerSnapshot, config: LogConfig) -> [[Int]] {
        let indexCapacity = config.maxIndexBytes / max(OffsetIndexEntry.size, TimeIndexEntry.size)
        var groups: [[Int]] = []
        var current: [Int] = []
        var bytes: Int64 = 0
        var entries = 0
        for index in indices {
            let segment = snapshot.closed[index]
            let segmentEntries = segment.offsetIndex.count + segment.timeIndex.count + 2
            if let first = current.first {
                let base = snapshot.closed[first].baseOffset
                // A tenth of headroom: a rewritten batch can grow a little (a delete
                // horizon lengthens timestamp deltas; recompression), and the merged
                // segment must stay within segmentBytes.
                let fits = bytes + segment.size <= Int64(config.segmentBytes) - Int64(config.segmentBytes / 10)
                    && entries + segmentEntries < indexCapacity
                    && snapshot.ends[index] - 1 - base <= Int64(Int32.max)
                if !fits {
                    groups.append(current)
                    current = []
                    bytes = 0
                    entries = 0
                }
            }
            current.append(index)
            bytes += segment.size
            entries += segmentEntries
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}
