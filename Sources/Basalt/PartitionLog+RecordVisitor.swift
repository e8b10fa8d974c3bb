extension PartitionLog {
    /// Calls `body` with each record from `offset` on, in place in a buffer the log
    /// reuses, up to about `maxBytes` of batches (at least one batch). The fast path for
    /// embedded consumers: the same records as ``readRecords(from:maxBytes:isolation:)``, with no
    /// allocation and no reference counting per record.
    ///
    /// Each batch's CRC is checked before any of its records is visited. Records below
    /// `offset` in the first batch are skipped, and so are transaction markers. Compressed
    /// batches are decompressed into the same reused buffer. Headers are decoded only when
    /// the body asks for ``RecordView/headers``.
    ///
    /// - Parameter body: sees each record borrowed; its key and value buffers are valid
    ///   only during the call. An error it throws stops the walk and is rethrown as is.
    /// - Returns: the offset to read from next: one past the last batch read, or `offset`
    ///   when it is the log end offset.
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for a batch that fails
    ///   its CRC or whose records are damaged, with the same reason
    ///   ``readRecords(from:maxBytes:isolation:)`` gives (records of that batch before the damage
    ///   may already have been visited); the errors of ``read(from:maxBytes:isolation:)``;
    ///   whatever `body` throws.
    public func forEachRecord(
        from offset: Int64, maxBytes: Int = 1 << 20, isolation: ReadIsolation = .highWatermark,
        _ body: (borrowing RecordView) throws -> Void
    ) throws -> Int64 {
        let slices = try read(from: offset, maxBytes: maxBytes, isolation: isolation)
        guard !slices.isEmpty else { return offset }
        // A concurrent reader that finds the idle buffer taken allocates its own; the
        // lock is held only to take and return it, never during the walk.
        let buffer = idleReadBuffer.withLock { $0.take() } ?? ReadBuffer()
        defer {
            if buffer.isWorthKeeping { idleReadBuffer.withLock { $0 = $0 ?? buffer } }
        }
        var next = offset
        for slice in slices {
            let bytes = buffer.fileBytes(count: slice.length)
            let got = try slice.file.read(into: bytes, at: slice.position)
            guard got == slice.length else {
                throw BasaltError.corruptLog(file: slice.file.path, position: slice.position + Int64(got),
                                             reason: "file ends inside a batch")
            }
            var cursor = 0
            while cursor < got {
                let position = slice.position + Int64(cursor)
                let batch = UnsafeRawBufferPointer(rebasing: bytes[cursor..<got])
                let header: RecordBatchHeader
                do {
                    header = try RecordBatch.checkedHeader(batch, maxBatchBytes: Int(Int32.max), allowingCompaction: true)
                } catch let error as BasaltError {
                    throw BasaltError.corruptLog(file: slice.file.path, position: position, reason: error.description)
                }
                cursor += header.totalSize
                next = max(next, header.nextOffset)
                guard !header.isControl else { continue }
                let section = try recordsSection(
                    UnsafeRawBufferPointer(rebasing: batch[RecordBatchHeader.size..<header.totalSize]),
                    header: header, buffer: buffer, file: slice.file.path, position: position)
                try Self.visitRecords(section, header: header, from: offset, file: slice.file.path,
                                      position: position, body)
            }
        }
        return next
    }

    /// The uncompressed records section of a batch: `stored` itself, or the batch
    /// decompressed into `buffer`'s scratch region.
    private func recordsSection(
        _ stored: UnsafeRawBufferPointer, header: RecordBatchHeader, buffer: ReadBuffer, file: String, position: Int64
    ) throws -> UnsafeRawBufferPointer {
        do {
            guard let codec = header.compression else {
                throw BasaltError.unsupportedCompression(codec: "invalid codec number \(header.codecNumber)")
            }
            if codec == .none { return stored }
            // The same first guess and limit as RecordBatch.records: records take at
            // least 7 bytes, and no batch may decompress past 256 MiB.
            return try codec.decompress(stored, expectedSize: Int(header.recordsCount) * 16, limit: 256 << 20,
                                        scratch: buffer.scratchBytes(count:))
        } catch let error as BasaltError {
            throw BasaltError.corruptLog(file: file, position: position, reason: error.description)
        }
    }

    /// Walks the records of an uncompressed records section as ``RecordBatch`` does,
    /// checking each one before `body` sees it; headers are checked but not decoded.
    /// Structural errors are thrown as `corruptLog` naming `file` and `position`, so an
    /// error from `body` passes through untouched.
    @inline(__always)
    private static func visitRecords(
        _ section: UnsafeRawBufferPointer, header: RecordBatchHeader, from minimumOffset: Int64,
        file: String, position batchPosition: Int64, _ body: (borrowing RecordView) throws -> Void
    ) throws {
        func damaged(_ reason: String) -> BasaltError {
            BasaltError.corruptLog(file: file, position: batchPosition,
                                   reason: BasaltError.invalidBatch(reason: reason).description)
        }
        var position = 0
        var previousDelta = -1
        let contiguous = Int64(header.recordsCount) == Int64(header.lastOffsetDelta) + 1
        let count = Int(header.recordsCount)
        for index in 0..<count {
            guard let bodySize = Varint.read32(section, &position), bodySize >= 6,
                  bodySize <= section.count - position else {
                throw damaged("record \(index): length runs past the records section")
            }
            let recordEnd = position + bodySize
            let record = UnsafeRawBufferPointer(rebasing: section[..<recordEnd])
            position += 1  // attributes, unused
            guard let timestampDelta = Varint.read(record, &position) else {
                throw damaged("record \(index): bad timestamp delta")
            }
            // One per offset, or increasing within the batch's range: a compacted batch has gaps.
            guard let offsetDelta = Varint.read32(record, &position),
                  contiguous ? offsetDelta == index : offsetDelta > previousDelta && offsetDelta <= Int(header.lastOffsetDelta) else {
                throw damaged(contiguous ? "record \(index): offset delta is not \(index)"
                                         : "record \(index): offset delta out of order or past the batch")
            }
            previousDelta = offsetDelta
            guard let keyCount = Varint.read32(record, &position), keyCount >= -1,
                  keyCount <= recordEnd - position else { throw damaged("record \(index): bad key length") }
            let keyStart = position
            position += max(keyCount, 0)
            guard let valueCount = Varint.read32(record, &position), valueCount >= -1,
                  valueCount <= recordEnd - position else { throw damaged("record \(index): bad value length") }
            let valueStart = position
            position += max(valueCount, 0)
            guard let headerCount = Varint.read32(record, &position), headerCount >= 0,
                  headerCount <= (recordEnd - position) / 2 else { throw damaged("record \(index): bad header count") }
            let headersStart = position
            for _ in 0..<headerCount {
                guard let headerKeyCount = Varint.read32(record, &position), headerKeyCount >= 0,
                      headerKeyCount <= recordEnd - position else {
                    throw damaged("record \(index): bad header key length")
                }
                position += headerKeyCount
                guard let headerValueCount = Varint.read32(record, &position), headerValueCount >= -1,
                      headerValueCount <= recordEnd - position else {
                    throw damaged("record \(index): bad header value length")
                }
                position += max(headerValueCount, 0)
            }
            guard position == recordEnd else {
                throw damaged("record \(index): \(recordEnd - position) unexplained bytes")
            }
            let offset = header.baseOffset + Int64(offsetDelta)
            guard offset >= minimumOffset else { continue }
            let timestamp = header.isLogAppendTime ? header.maxTimestamp : header.baseTimestamp &+ timestampDelta
            let view = RecordView(
                offset: offset, timestamp: timestamp,
                key: keyCount < 0 ? nil : UnsafeRawBufferPointer(rebasing: section[keyStart..<(keyStart + keyCount)]),
                value: valueCount < 0 ? nil
                    : UnsafeRawBufferPointer(rebasing: section[valueStart..<(valueStart + valueCount)]),
                headerCount: headerCount,
                headerBytes: UnsafeRawBufferPointer(rebasing: section[headersStart..<recordEnd]))
            try body(view)
        }
        guard position == section.count else {
            throw BasaltError.corruptLog(
                file: file, position: batchPosition,
                reason: BasaltError.invalidBatch(
                    reason: "\(section.count - position) bytes after the last of \(count) records").description)
        }
    }
}
