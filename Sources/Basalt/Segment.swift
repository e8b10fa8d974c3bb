import Glibc

/// One segment of a partition: a `.log` file of concatenated batches and its two sparse
/// indexes, all named by the segment's base offset.
///
/// The segment owns its files: nothing else closes the descriptor or unmaps the indexes.
/// Descriptors close only when the last reference (the log, or a reader still holding a
/// slice) goes away, so deleting a segment under a reader is safe. The indexes are
/// mapped only while the segment is active: ``seal()`` drops the mappings, and closed
/// segments are opened without them, so resident memory does not grow with the number
/// of segments kept (see ``MappedIndex``).
///
/// Concurrency: the `var` fields belong to the partition's writer and change only under
/// its lock; readers use the sizes published in the partition's read view instead. The
/// files are safe to read concurrently. That is what the `@unchecked Sendable` rests on.
final class Segment: @unchecked Sendable {
    let baseOffset: Int64
    let log: StorageFile
    let offsetIndex: MappedIndex<OffsetIndexEntry>
    let timeIndex: MappedIndex<TimeIndexEntry>

    /// Bytes of valid batches in the log.
    var size: Int64
    /// The offset after the last batch; `baseOffset` when empty.
    var nextOffset: Int64
    /// Bytes appended since the last index entry.
    var bytesSinceIndexEntry: Int
    /// Largest batch max-timestamp seen, and the last offset of the batch that had it.
    var maxTimestamp: Int64
    var offsetOfMaxTimestamp: Int64
    /// Max timestamp of the first batch, for `segmentMs`; nil while empty.
    var firstBatchTimestamp: Int64?
    /// Wall-clock time the segment was created or opened, for `segmentMs` when empty.
    let openedAtMs: Int64

    var isEmpty: Bool { size == 0 }
    var logPath: String { log.path }

    private init(
        baseOffset: Int64, log: StorageFile, offsetIndex: MappedIndex<OffsetIndexEntry>,
        timeIndex: MappedIndex<TimeIndexEntry>, size: Int64, nowMs: Int64
    ) {
        self.baseOffset = baseOffset
        self.log = log
        self.offsetIndex = offsetIndex
        self.timeIndex = timeIndex
        self.size = size
        self.nextOffset = baseOffset
        self.bytesSinceIndexEntry = 0
        self.maxTimestamp = -1
        self.offsetOfMaxTimestamp = baseOffset
        self.openedAtMs = nowMs
    }

    /// The segment's three file paths; `suffix` (`.cleaned`, `.swap`) names the files the
    /// log cleaner writes beside them (see ``CompactionSwap``).
    static func paths(directory: String, baseOffset: Int64, suffix: String = "") -> (log: String, offsetIndex: String, timeIndex: String) {
        (directory + "/" + SegmentFileName.name(baseOffset, SegmentFileName.log) + suffix,
         directory + "/" + SegmentFileName.name(baseOffset, SegmentFileName.offsetIndex) + suffix,
         directory + "/" + SegmentFileName.name(baseOffset, SegmentFileName.timeIndex) + suffix)
    }

    /// Creates a new, empty, active segment, replacing stale files of the same name.
    static func create(
        directory: String, baseOffset: Int64, config: LogConfig, io: any FileIO, nowMs: Int64, suffix: String = ""
    ) throws -> Segment {
        let paths = paths(directory: directory, baseOffset: baseOffset, suffix: suffix)
        // A stale log of this name (a roll that failed part-way, a crash) is unlinked and
        // the file created anew rather than truncated: ftruncate to 0 arms ext4's
        // auto_da_alloc, which starts writeback of the new data when the file closes.
        // Either way the old bytes are gone before anything is appended.
        for path in [paths.log, paths.offsetIndex, paths.timeIndex] { try removeIfPresent(path, io: io) }
        let log = try StorageFile(path: paths.log, flags: O_RDWR | O_CREAT | O_EXCL, io: io)
        let offsetIndex = try MappedIndex<OffsetIndexEntry>(path: paths.offsetIndex, capacityBytes: config.maxIndexBytes, io: io)
        let timeIndex = try MappedIndex<TimeIndexEntry>(path: paths.timeIndex, capacityBytes: config.maxIndexBytes, io: io)
        try Directory.sync(directory, io: io)
        let segment = Segment(baseOffset: baseOffset, log: log, offsetIndex: offsetIndex, timeIndex: timeIndex, size: 0, nowMs: nowMs)
        return segment
    }

    /// Opens an existing segment. `active` maps its indexes at full capacity for appends;
    /// `rebuildIndexes` discards the index files and maps new ones for recovery to
    /// rebuild. Otherwise the indexes are opened sealed, unmapped.
    static func open(
        directory: String, baseOffset: Int64, config: LogConfig, io: any FileIO, active: Bool,
        rebuildIndexes: Bool, nowMs: Int64
    ) throws -> Segment {
        let paths = paths(directory: directory, baseOffset: baseOffset)
        let log = try StorageFile(path: paths.log, flags: O_RDWR, io: io)
        let size = try log.size()
        var rebuild = rebuildIndexes
        if !rebuild {
            // A missing index, or a length that is not whole entries, cannot be a trimmed index.
            rebuild = !indexLengthIsWhole(paths.offsetIndex, OffsetIndexEntry.size)
                || !indexLengthIsWhole(paths.timeIndex, TimeIndexEntry.size)
        }
        if rebuild && !rebuildIndexes {
            // The caller trusted the indexes; tell it through the sanity check instead.
            for path in [paths.offsetIndex, paths.timeIndex] { try removeIfPresent(path, io: io) }
            throw BasaltError.corruptIndex(file: paths.offsetIndex, reason: "index files are missing or not whole entries")
        }
        if rebuild {
            for path in [paths.offsetIndex, paths.timeIndex] { try removeIfPresent(path, io: io) }
        }
        let offsetIndex: MappedIndex<OffsetIndexEntry>
        let timeIndex: MappedIndex<TimeIndexEntry>
        if active || rebuild {
            offsetIndex = try MappedIndex(path: paths.offsetIndex, capacityBytes: config.maxIndexBytes, io: io)
            timeIndex = try MappedIndex(path: paths.timeIndex, capacityBytes: config.maxIndexBytes, io: io)
        } else {
            offsetIndex = try MappedIndex(sealedAt: paths.offsetIndex, io: io)
            timeIndex = try MappedIndex(sealedAt: paths.timeIndex, io: io)
        }
        return Segment(baseOffset: baseOffset, log: log, offsetIndex: offsetIndex, timeIndex: timeIndex, size: size, nowMs: nowMs)
    }

    private static func indexLengthIsWhole(_ path: String, _ entrySize: Int) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return Int(info.st_size) % entrySize == 0
    }

    static func removeIfPresent(_ path: String, io: any FileIO) throws {
        do throws(Errno) {
            try io.unlink(path)
        } catch where error.code == ENOENT {
        } catch {
            throw BasaltError.io(operation: "unlink", path: path, errno: error.code)
        }
    }

    /// Checks every entry of the trimmed indexes against the log's offset range and size
    /// and their order (a few milliseconds for a full 1 GiB segment's index). Throws ``BasaltError/corruptIndex(file:reason:)``.
    func sanityCheck(nextOffset: Int64) throws {
        let maxRelative = nextOffset - 1 - baseOffset
        var previous: OffsetIndexEntry?
        try offsetIndex.forEachEntry { slot, entry in
            guard entry.relativeOffset >= 0, Int64(entry.relativeOffset) <= maxRelative,
                  entry.position >= 0, Int64(entry.position) < size else {
                throw BasaltError.corruptIndex(file: offsetIndex.path, reason: "entry \(slot) points outside the log")
            }
            if let previous, previous.relativeOffset >= entry.relativeOffset || previous.position >= entry.position {
                throw BasaltError.corruptIndex(file: offsetIndex.path, reason: "entry \(slot) is out of order")
            }
            previous = entry
        }
        var previousTime: TimeIndexEntry?
        try timeIndex.forEachEntry { slot, entry in
            guard entry.relativeOffset >= 0, Int64(entry.relativeOffset) <= maxRelative else {
                throw BasaltError.corruptIndex(file: timeIndex.path, reason: "entry \(slot) points outside the log")
            }
            if let previousTime, previousTime.timestamp >= entry.timestamp || previousTime.relativeOffset > entry.relativeOffset {
                throw BasaltError.corruptIndex(file: timeIndex.path, reason: "entry \(slot) is out of order")
            }
            previousTime = entry
        }
    }

    /// The offset after the segment's last batch, read from the last offset index entry
    /// on, without scanning the rest of the log. Lets an open check that segments are
    /// contiguous (none missing between two others) at the cost of a few reads.
    ///
    /// - Throws: ``BasaltError/corruptIndex(file:reason:)`` when the index entry does not
    ///   lead to the batch it names (rebuild it); ``BasaltError/corruptLog(file:position:reason:)``
    ///   when the bytes after it are not batches.
    func lastBatchEnd() throws -> Int64 {
        let entry = offsetIndex.last
        let start = entry.map { Int64($0.position) } ?? 0
        var scanner = try SegmentScanner(file: log, from: start, windowBytes: 64 << 10)
        var end = baseOffset
        var first = true
        while true {
            switch try scanner.next() {
            case .end:
                return end
            case .batch(let position, let header, _):
                if first, let entry, baseOffset + Int64(entry.relativeOffset) != header.lastOffset {
                    throw BasaltError.corruptIndex(file: offsetIndex.path, reason: "last entry does not match the batch at byte \(position)")
                }
                end = header.nextOffset
            case .invalid(let position, let reason, _):
                if first && entry != nil {
                    throw BasaltError.corruptIndex(file: offsetIndex.path, reason: "last entry does not point at a batch")
                }
                throw BasaltError.corruptLog(file: logPath, position: position, reason: reason)
            }
            first = false
        }
    }

    /// Records a batch written at `position`: index entries every `indexIntervalBytes`
    /// (Kafka's rule: the counter is checked before this batch's size is added, so the
    /// first batch of a segment gets none), timestamps, size and next offset.
    func didAppend(_ header: RecordBatchHeader, at position: Int64, indexIntervalBytes: Int) {
        if header.maxTimestamp > maxTimestamp {
            maxTimestamp = header.maxTimestamp
            offsetOfMaxTimestamp = header.lastOffset
        }
        if firstBatchTimestamp == nil { firstBatchTimestamp = header.maxTimestamp }
        if bytesSinceIndexEntry > indexIntervalBytes {
            let relative = Int32(header.lastOffset - baseOffset)
            if offsetIndex.last.map({ $0.relativeOffset < relative }) ?? true {
                offsetIndex.append(OffsetIndexEntry(relativeOffset: relative, position: Int32(position)))
            }
            appendTimeEntryIfNewer()
            bytesSinceIndexEntry = 0
        }
        bytesSinceIndexEntry += header.totalSize
        size = position + Int64(header.totalSize)
        nextOffset = header.nextOffset
    }

    /// Adds a time index entry for the segment's max timestamp when it is newer than
    /// the last entry.
    func appendTimeEntryIfNewer() {
        guard maxTimestamp >= 0, !timeIndex.isFull else { return }
        let relative = Int32(offsetOfMaxTimestamp - baseOffset)
        if let last = timeIndex.last, last.timestamp >= maxTimestamp || last.relativeOffset > relative { return }
        timeIndex.append(TimeIndexEntry(timestamp: maxTimestamp, relativeOffset: relative))
    }

    /// Whether another index entry might be needed and there is no room for it.
    var indexesFull: Bool { offsetIndex.isFull || timeIndex.isFull }

    /// Makes the segment read-only: final time index entry, indexes synced, trimmed and
    /// unmapped, log synced.
    func seal() throws {
        appendTimeEntryIfNewer()
        try offsetIndex.seal()
        try timeIndex.seal()
        try log.sync()
    }

    /// Unlinks the segment's files. Open descriptors and mappings stay valid.
    func deleteFiles(io: any FileIO) throws {
        try Segment.removeIfPresent(log.path, io: io)
        try Segment.removeIfPresent(offsetIndex.path, io: io)
        try Segment.removeIfPresent(timeIndex.path, io: io)
    }

    /// The byte position to start scanning from for `offset`: the position of the last
    /// indexed batch whose last offset is at most `offset`, else 0. An index that cannot
    /// be read also gives 0: the caller scans the log from the start, which costs time,
    /// never a wrong answer, and reports the log's own read errors.
    func startPosition(for offset: Int64) -> Int64 {
        // Compared before subtracting: `offset` may come from a request, and Int64.min
        // minus a base offset would overflow.
        guard offset > baseOffset else { return 0 }
        let relative = offset - baseOffset
        guard let entry = try? offsetIndex.floor(min(relative, Int64(Int32.max))) else { return 0 }
        return Int64(entry.position)
    }
}
