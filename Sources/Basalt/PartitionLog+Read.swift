extension PartitionLog {
    /// Where the batch holding an offset starts.
    struct Location {
        let segmentIndex: Int
        let position: Int64
        let header: RecordBatchHeader
    }

    /// The batches from the one holding `offset`, as slices of segment files, up to
    /// `maxBytes` of whole batches (always at least the first batch, however large, so a
    /// reader can make progress). Runs concurrently with appends and truncation.
    ///
    /// - Parameter isolation: ``ReadIsolation/highWatermark`` (consumers) returns only
    ///   batches that end at or below the ``highWatermark``; ``ReadIsolation/logEnd``
    ///   (followers) reads to the log end. The same in single-node mode.
    /// - Returns: empty when `offset` is the log end offset, or at or past the limit
    ///   `isolation` sets.
    /// - Throws: ``BasaltError/offsetOutOfRange(offset:logStartOffset:logEndOffset:)``;
    ///   ``BasaltError/corruptLog(file:position:reason:)`` when a batch header on the way
    ///   is damaged, or was cut by a concurrent ``truncate(to:)``.
    public func read(from offset: Int64, maxBytes: Int, isolation: ReadIsolation = .highWatermark) throws -> [LogSlice] {
        let view = published.withLock { $0 }
        let limit = view.limit(isolation)
        guard let start = try locate(offset, in: view), start.header.nextOffset <= limit else { return [] }
        var slices: [LogSlice] = []
        var budget = maxBytes
        var segmentIndex = start.segmentIndex
        var position = start.position
        var header = start.header
        while segmentIndex < view.segments.count {
            let segmentView = view.segments[segmentIndex]
            let sliceStart = position
            let firstOffset = header.baseOffset
            var lastOffset = header.lastOffset
            var length = 0
            while true {
                let size = header.totalSize
                if size > budget && !(slices.isEmpty && length == 0) { break }
                length += size
                budget -= size
                lastOffset = header.lastOffset
                position += Int64(size)
                guard position < segmentView.size, budget > 0,
                      let next = try batchHeader(segmentView, at: position), next.nextOffset <= limit else { break }
                header = next
            }
            if length > 0 {
                slices.append(LogSlice(file: segmentView.segment.log, position: sliceStart, length: length,
                                       firstOffset: firstOffset, lastOffset: lastOffset))
            }
            guard position >= segmentView.size, budget > 0 else { break }
            segmentIndex += 1
            guard segmentIndex < view.segments.count, view.segments[segmentIndex].size > 0,
                  let next = try batchHeader(view.segments[segmentIndex], at: 0), next.nextOffset <= limit else { break }
            position = 0
            header = next
        }
        return slices
    }

    /// The batches from the one holding `offset`, read into memory with each CRC
    /// checked, up to `maxBytes` of whole batches (at least one batch).
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` naming the file and
    ///   position of a batch that fails its CRC or bounds, and the errors of
    ///   ``read(from:maxBytes:isolation:)``.
    public func readBatches(
        from offset: Int64, maxBytes: Int, isolation: ReadIsolation = .highWatermark
    ) throws -> [RecordBatch] {
        try readLocatedBatches(from: offset, maxBytes: maxBytes, isolation: isolation).map(\.batch)
    }

    /// The records from `offset` on, decoded and CRC-checked, up to about `maxBytes` of
    /// batches. Records below `offset` in the first batch are skipped, and so are
    /// transaction markers.
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for a batch that fails
    ///   its CRC or whose records are damaged, and the errors of ``read(from:maxBytes:isolation:)``.
    public func readRecords(
        from offset: Int64, maxBytes: Int = 1 << 20, isolation: ReadIsolation = .highWatermark
    ) throws -> [ConsumerRecord] {
        var records: [ConsumerRecord] = []
        let batches = try readLocatedBatches(from: offset, maxBytes: maxBytes, isolation: isolation)
        // Sized once: growing a large array by doubling faults in fresh pages each time.
        records.reserveCapacity(batches.reduce(0) { $0 + min(Int($1.batch.header.recordsCount), $1.batch.header.totalSize / 7) })
        for located in batches where !located.batch.header.isControl {
            do {
                try located.batch.appendRecords(to: &records, from: offset, partition: partitionNumber)
            } catch let error as BasaltError {
                throw BasaltError.corruptLog(file: located.path, position: located.position, reason: error.description)
            }
        }
        return records
    }

    private func readLocatedBatches(
        from offset: Int64, maxBytes: Int, isolation: ReadIsolation
    ) throws -> [(batch: RecordBatch, path: String, position: Int64)] {
        var batches: [(batch: RecordBatch, path: String, position: Int64)] = []
        for slice in try read(from: offset, maxBytes: maxBytes, isolation: isolation) {
            let bytes = try slice.file.read(count: slice.length, at: slice.position)
            guard bytes.count == slice.length else {
                throw BasaltError.corruptLog(file: slice.file.path, position: slice.position + Int64(bytes.count),
                                             reason: "file ends inside a batch")
            }
            var cursor = 0
            while cursor < bytes.count {
                let position = slice.position + Int64(cursor)
                let batch: RecordBatch
                do {
                    batch = try RecordBatch(storage: bytes, at: cursor, allowingCompaction: true)
                } catch let error as BasaltError {
                    throw BasaltError.corruptLog(file: slice.file.path, position: position, reason: error.description)
                }
                batches.append((batch, slice.file.path, position))
                cursor += batch.header.totalSize
            }
        }
        return batches
    }

    /// Waits until the limit `isolation` sets (the ``highWatermark`` by default, or the
    /// log end) passes `offset` or `timeout` elapses, without polling. Returns whether
    /// data past `offset` is readable.
    ///
    /// Woken by every change that can make data readable or unreadable: leader and
    /// follower appends once readable, high watermark advances, truncation, close and
    /// ``wakeWaiters()`` (see ``DataSignal``).
    public func waitForData(
        after offset: Int64, timeout: Duration, isolation: ReadIsolation = .highWatermark
    ) async -> Bool {
        await signal.wait(for: [self], timeout: timeout) { self.published.withLock { $0.limit(isolation) } > offset }
    }

    /// Finds the batch holding `offset`; nil when `offset` is the end of the log.
    func locate(_ offset: Int64, in view: ReadView) throws -> Location? {
        guard offset >= view.logStartOffset, offset <= view.endOffset else {
            throw BasaltError.offsetOutOfRange(offset: offset, logStartOffset: view.logStartOffset,
                                               logEndOffset: view.endOffset)
        }
        if offset == view.endOffset { return nil }
        // The last segment whose base offset is at most `offset`.
        var low = 0
        var high = view.segments.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if view.segments[middle].segment.baseOffset <= offset { low = middle } else { high = middle - 1 }
        }
        var segmentIndex = low
        var position = try indexedStart(view.segments[segmentIndex], for: offset)
        while segmentIndex < view.segments.count {
            let segmentView = view.segments[segmentIndex]
            while position < segmentView.size {
                guard let header = try batchHeader(segmentView, at: position) else { break }
                if header.lastOffset >= offset {
                    return Location(segmentIndex: segmentIndex, position: position, header: header)
                }
                position += Int64(header.totalSize)
            }
            segmentIndex += 1
            position = 0
        }
        return nil
    }

    /// Where to start scanning for `offset` in a segment: the offset index's position when
    /// it leads to a batch at or below `offset`, else the start of the segment, so a
    /// damaged index entry costs a longer scan, never a wrong answer.
    func indexedStart(_ segmentView: SegmentView, for offset: Int64) throws -> Int64 {
        let position = segmentView.segment.startPosition(for: offset)
        guard position > 0 else { return 0 }
        guard position < segmentView.size,
              let header = try? batchHeader(segmentView, at: position), header.baseOffset <= offset,
              header.baseOffset >= segmentView.segment.baseOffset else { return 0 }
        return position
    }

    /// The header of the batch at `position`, checked against the readable size.
    func batchHeader(_ segmentView: SegmentView, at position: Int64) throws -> RecordBatchHeader? {
        guard position + Int64(RecordBatchHeader.size) <= segmentView.size else {
            if position == segmentView.size { return nil }
            throw BasaltError.corruptLog(file: segmentView.segment.logPath, position: position,
                                         reason: "partial batch header at the end of the readable log")
        }
        // A stack buffer, not an array: read() and locate() call this once per batch.
        return try withUnsafeTemporaryAllocation(byteCount: RecordBatchHeader.size, alignment: 8) { buffer in
            let got = try segmentView.segment.log.read(into: buffer, at: position)
            do {
                let header = try RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: buffer[..<got]))
                try header.validate(available: Int(segmentView.size - position), allowingCompaction: true)
                try header.validateStoredOffsets()
                return header
            } catch let error as BasaltError {
                throw BasaltError.corruptLog(file: segmentView.segment.logPath, position: position, reason: error.description)
            }
        }
    }
}
