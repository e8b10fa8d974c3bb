/// Opens a partition directory's segments and brings them to a consistent state: the
/// clean-shutdown fast path, or recovery from the last recovery point on.
///
/// Open cost after a clean close is a few system calls per segment. After an unclean
/// one it is the scan of the segments from the recovery point on (normally only the
/// active one, since a segment is synced and the recovery point advanced when it rolls);
/// closed segments before it are not read, so open time does not grow with them.
enum LogLoader {
    struct Loaded {
        var segments: [Segment]
        var nextOffset: Int64
        var logStartOffset: Int64
        var recoveryPoint: Int64
        var report: PartitionLog.OpenReport
    }

    static func load(directory: String, config: LogConfig, io: any FileIO, nowMs: Int64) throws -> Loaded {
        // A clean the log cleaner was swapping in when the process stopped: rolled back
        // or completed before the segments are listed.
        try CompactionSwap.recover(directory: directory, io: io)
        var bases: [Int64] = []
        for name in try Directory.entries(directory) {
            if name == PartitionCheckpoint.temporaryFileName {
                try Segment.removeIfPresent(directory + "/" + name, io: io)
                continue
            }
            guard let parsed = SegmentFileName.parse(name) else { continue }
            if parsed.fileExtension == SegmentFileName.log { bases.append(parsed.baseOffset) }
        }
        bases.sort()
        // Index files whose log is gone (a crash during retention) are removed.
        for name in try Directory.entries(directory) {
            guard let parsed = SegmentFileName.parse(name),
                  parsed.fileExtension == SegmentFileName.offsetIndex || parsed.fileExtension == SegmentFileName.timeIndex,
                  !bases.contains(parsed.baseOffset) else { continue }
            try Segment.removeIfPresent(directory + "/" + name, io: io)
        }

        let checkpoint = try PartitionCheckpoint.read(directory: directory, io: io)
        var logStartOffset = checkpoint?.logStartOffset ?? 0

        if bases.isEmpty {
            let start = max(logStartOffset, 0)
            let segment = try Segment.create(directory: directory, baseOffset: start, config: config, io: io, nowMs: nowMs)
            try PartitionCheckpoint(recoveryPoint: start, logStartOffset: start, clean: nil).write(directory: directory, io: io)
            return Loaded(segments: [segment], nextOffset: start, logStartOffset: start, recoveryPoint: start,
                          report: PartitionLog.OpenReport(wasClean: checkpoint != nil, recoveredSegments: 0, truncatedBytes: 0))
        }

        // Segments wholly below the log start offset were being deleted by retention.
        while bases.count > 1, bases[1] <= logStartOffset {
            let doomed = Segment.paths(directory: directory, baseOffset: bases.removeFirst())
            for path in [doomed.log, doomed.offsetIndex, doomed.timeIndex] { try Segment.removeIfPresent(path, io: io) }
        }
        logStartOffset = max(logStartOffset, bases[0])

        if let checkpoint, let clean = checkpoint.clean, clean.activeBaseOffset == bases.last,
           let loaded = try loadClean(directory: directory, bases: bases, clean: clean, checkpoint: checkpoint,
                                      logStartOffset: logStartOffset, config: config, io: io, nowMs: nowMs) {
            return loaded
        }
        return try loadRecovering(directory: directory, bases: bases, recoveryPoint: checkpoint?.recoveryPoint ?? 0,
                                  logStartOffset: logStartOffset, config: config, io: io, nowMs: nowMs)
    }

    /// The fast path: trust the files as the clean close left them. Returns nil when
    /// the files disagree with the checkpoint, so the caller recovers instead.
    private static func loadClean(
        directory: String, bases: [Int64], clean: PartitionCheckpoint.CleanShutdown, checkpoint: PartitionCheckpoint,
        logStartOffset: Int64, config: LogConfig, io: any FileIO, nowMs: Int64
    ) throws -> Loaded? {
        var segments: [Segment] = []
        for (index, base) in bases.enumerated() {
            let isLast = index == bases.count - 1
            let segment: Segment
            do {
                segment = try Segment.open(directory: directory, baseOffset: base, config: config, io: io,
                                           active: isLast, rebuildIndexes: false, nowMs: nowMs)
            } catch BasaltError.corruptIndex {
                return nil
            }
            let next = isLast ? clean.logEndOffset : bases[index + 1]
            guard next >= base else { return nil }
            segment.nextOffset = next
            if isLast && segment.size != clean.activeBytes { return nil }
            do {
                try segment.sanityCheck(nextOffset: next)
                try checkContiguous(segment, next: next, nextPath: isLast ? nil : Segment.paths(directory: directory, baseOffset: next).log)
                try restoreStatistics(segment)
            } catch BasaltError.corruptIndex {
                return nil
            } catch BasaltError.corruptLog(_, _, _) where isLast {
                return nil
            }
            segments.append(segment)
        }
        // From here on a crash must not look clean.
        try PartitionCheckpoint(recoveryPoint: clean.logEndOffset, logStartOffset: logStartOffset, clean: nil)
            .write(directory: directory, io: io)
        return Loaded(segments: segments, nextOffset: clean.logEndOffset, logStartOffset: logStartOffset,
                      recoveryPoint: clean.logEndOffset,
                      report: PartitionLog.OpenReport(wasClean: true, recoveredSegments: 0, truncatedBytes: 0))
    }

    private static func loadRecovering(
        directory: String, bases: [Int64], recoveryPoint: Int64, logStartOffset: Int64, config: LogConfig,
        io: any FileIO, nowMs: Int64
    ) throws -> Loaded {
        // The first segment to scan is the one holding the recovery point.
        var firstToRecover = 0
        while firstToRecover + 1 < bases.count, bases[firstToRecover + 1] <= recoveryPoint { firstToRecover += 1 }

        var segments: [Segment] = []
        var truncatedBytes: Int64 = 0
        var recovered = 0
        var expectedBase: Int64?
        var index = 0
        while index < bases.count {
            let base = bases[index]
            let isLast = index == bases.count - 1
            if index < firstToRecover {
                do {
                    let segment = try Segment.open(directory: directory, baseOffset: base, config: config, io: io,
                                                   active: false, rebuildIndexes: false, nowMs: nowMs)
                    segment.nextOffset = bases[index + 1]
                    try segment.sanityCheck(nextOffset: segment.nextOffset)
                    try checkContiguous(segment, next: bases[index + 1],
                                        nextPath: Segment.paths(directory: directory, baseOffset: bases[index + 1]).log)
                    try restoreStatistics(segment)
                    segments.append(segment)
                    index += 1
                    continue
                } catch BasaltError.corruptIndex {
                    // A damaged index of a flushed segment is rebuilt from its log.
                    let rebuilt = try Segment.open(directory: directory, baseOffset: base, config: config, io: io,
                                                   active: false, rebuildIndexes: true, nowMs: nowMs)
                    _ = try SegmentRecovery.recover(rebuilt, config: config)
                    guard rebuilt.nextOffset == bases[index + 1] else {
                        throw BasaltError.corruptLog(file: rebuilt.logPath, position: rebuilt.size,
                                                     reason: "segment ends at offset \(rebuilt.nextOffset), the next one starts at \(bases[index + 1])")
                    }
                    try rebuilt.seal()
                    segments.append(rebuilt)
                    recovered += 1
                    index += 1
                    continue
                }
            }
            if let expectedBase, expectedBase != base {
                throw BasaltError.corruptLog(file: Segment.paths(directory: directory, baseOffset: base).log, position: 0,
                                             reason: "segment starts at offset \(base), the previous one ends at \(expectedBase)")
            }
            let segment = try Segment.open(directory: directory, baseOffset: base, config: config, io: io,
                                           active: isLast, rebuildIndexes: true, nowMs: nowMs)
            let outcome = try SegmentRecovery.recover(segment, config: config)
            recovered += 1
            truncatedBytes += outcome.truncatedBytes
            if outcome.truncatedBytes > 0 && !isLast {
                // A torn segment that is not the last: later segments hold data written
                // after the damage, unless they are empty.
                for later in bases[(index + 1)...] {
                    let path = Segment.paths(directory: directory, baseOffset: later).log
                    let file = try StorageFile(path: path, flags: 0, io: io)
                    if try file.size() > 0 {
                        throw BasaltError.corruptLog(file: segment.logPath, position: segment.size,
                                                     reason: "\(outcome.reason ?? "invalid data") in a segment followed by \(SegmentFileName.name(later, SegmentFileName.log))")
                    }
                }
                for later in bases[(index + 1)...] {
                    let doomed = Segment.paths(directory: directory, baseOffset: later)
                    for path in [doomed.log, doomed.offsetIndex, doomed.timeIndex] { try Segment.removeIfPresent(path, io: io) }
                }
                // This segment becomes the active one; it was opened with full-size
                // indexes for the rebuild, so appends can continue in it.
                try segment.log.sync()
                segments.append(segment)
                break
            }
            if !isLast { try segment.seal() }
            try segment.log.sync()
            segments.append(segment)
            expectedBase = segment.nextOffset
            index += 1
        }
        let nextOffset = segments[segments.count - 1].nextOffset
        try PartitionCheckpoint(recoveryPoint: nextOffset, logStartOffset: min(logStartOffset, nextOffset), clean: nil)
            .write(directory: directory, io: io)
        return Loaded(segments: segments, nextOffset: nextOffset, logStartOffset: min(logStartOffset, nextOffset),
                      recoveryPoint: nextOffset,
                      report: PartitionLog.OpenReport(wasClean: false, recoveredSegments: recovered, truncatedBytes: truncatedBytes))
    }

    /// Checks that `segment` ends where the next segment starts (or, for the last one,
    /// at the recorded log end). A gap means a segment is missing: reported against the
    /// segment after it, at byte 0.
    private static func checkContiguous(_ segment: Segment, next: Int64, nextPath: String?) throws {
        let end = try segment.lastBatchEnd()
        guard end == next else {
            throw BasaltError.corruptLog(file: nextPath ?? segment.logPath, position: nextPath == nil ? segment.size : 0,
                                         reason: "segment starts at offset \(next), the previous one ends at \(end)")
        }
    }

    /// Restores what the append path tracks about a segment that was not scanned: its
    /// newest timestamp from the last time index entry, and the bytes since its last
    /// offset index entry.
    private static func restoreStatistics(_ segment: Segment) throws {
        if segment.timeIndex.count == 0 && segment.size > 0 {
            // Sealing always leaves a final time index entry in a non-empty segment.
            throw BasaltError.corruptIndex(file: segment.timeIndex.path, reason: "empty time index for a non-empty log")
        }
        if let last = segment.timeIndex.last {
            segment.maxTimestamp = last.timestamp
            segment.offsetOfMaxTimestamp = segment.baseOffset + Int64(last.relativeOffset)
        }
        let lastPosition = segment.offsetIndex.last.map { Int64($0.position) } ?? 0
        segment.bytesSinceIndexEntry = Int(segment.size - lastPosition)
        if segment.size >= Int64(RecordBatchHeader.size) {
            let bytes = try segment.log.read(count: RecordBatchHeader.size, at: 0)
            let first = try bytes.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }
            segment.firstBatchTimestamp = first.maxTimestamp
            // The last time entry holds the segment's largest timestamp, so it cannot be
            // older than the first batch's (a zeroed or stale time index).
            if let last = segment.timeIndex.last, last.timestamp < first.maxTimestamp {
                throw BasaltError.corruptIndex(file: segment.timeIndex.path, reason: "last entry is older than the first batch")
            }
            if segment.maxTimestamp < 0 {
                segment.maxTimestamp = first.maxTimestamp
                segment.offsetOfMaxTimestamp = first.lastOffset
            }
        }
    }
}
