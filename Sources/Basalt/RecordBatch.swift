/// One Kafka record batch v2 in a byte buffer: its parsed header and where its bytes are.
///
/// Creating one checks the header's bounds and the CRC, so every field and every byte
/// of it can be trusted; decoding records checks their structure as it goes.
public struct RecordBatch: Sendable {
    /// The parsed header.
    public let header: RecordBatchHeader
    /// The buffer holding the batch (and possibly others around it).
    public let storage: [UInt8]
    /// Where the batch starts in ``storage``.
    public let start: Int

    /// The batch's bytes.
    public var bytes: ArraySlice<UInt8> { storage[start..<(start + header.totalSize)] }

    /// Parses and checks the batch at `position` of `storage`. `allowingCompaction` for a
    /// stored batch, which may hold fewer records than offsets after the log cleaner ran
    /// (see ``RecordBatchHeader/validateRecordCount(allowingCompaction:)``).
    ///
    /// - Throws: ``BasaltError/invalidBatch(reason:)`` for a bad magic, length or record
    ///   count; ``BasaltError/messageTooLarge(bytes:limit:)`` past `maxBatchBytes`;
    ///   ``BasaltError/crcMismatch(stored:computed:)``.
    public init(storage: [UInt8], at position: Int = 0, maxBatchBytes: Int = Int(Int32.max), allowingCompaction: Bool = false) throws {
        precondition(position >= 0 && position <= storage.count, "batch position outside the buffer")
        let header = try storage.withUnsafeBytes { (raw) throws -> RecordBatchHeader in
            try Self.checkedHeader(UnsafeRawBufferPointer(rebasing: raw[position...]), maxBatchBytes: maxBatchBytes,
                                   allowingCompaction: allowingCompaction)
        }
        self.header = header
        self.storage = storage
        self.start = position
    }

    /// Parses the header of the batch at the start of `bytes` and checks its bounds, CRC
    /// and record count: what makes a batch's bytes trustworthy, wherever they sit.
    static func checkedHeader(
        _ bytes: UnsafeRawBufferPointer, maxBatchBytes: Int, allowingCompaction: Bool = false
    ) throws -> RecordBatchHeader {
        let header = try RecordBatchHeader(parsing: bytes)
        try header.validateBounds(available: bytes.count, maxBatchBytes: maxBatchBytes)
        let computed = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: bytes[RecordBatchHeader.attributesPosition..<header.totalSize]))
        guard computed == header.crc else { throw BasaltError.crcMismatch(stored: header.crc, computed: computed) }
        try header.validateRecordCount(allowingCompaction: allowingCompaction)
        return header
    }

    /// Decodes the batch's records, decompressing them first when needed.
    ///
    /// - Parameters:
    ///   - minimumOffset: records below it are skipped (a read that starts inside a batch).
    ///   - limit: most bytes decompressed records may take; guards against hostile frames.
    /// - Throws: ``BasaltError/unsupportedCompression(codec:)`` for codec numbers 5–7,
    ///   ``BasaltError/corruptCompressedData(reason:)``, or
    ///   ``BasaltError/invalidBatch(reason:)`` when a record's structure is damaged.
    public func records(
        from minimumOffset: Int64 = .min, partition: Int32 = 0, decompressedLimit limit: Int = 256 << 20
    ) throws -> [ConsumerRecord] {
        var output: [ConsumerRecord] = []
        // A record takes at least 7 bytes, so a count the batch's bytes cannot hold is a
        // lie the record walk reports; it must not size an allocation first.
        output.reserveCapacity(min(Int(header.recordsCount), header.totalSize / 7))
        try appendRecords(to: &output, from: minimumOffset, partition: partition, decompressedLimit: limit)
        return output
    }

    /// Checks every record's structure without keeping them: what a raw batch from a
    /// client must pass before it is appended. A batch holding one record per offset must
    /// have offset deltas 0, 1, 2, …; one with fewer (only a stored batch the log cleaner
    /// rewrote: see ``init(storage:at:maxBatchBytes:allowingCompaction:)``) increasing
    /// deltas within its range.
    ///
    /// With `requireKeys` (a batch for a compacted topic), a record without a key throws
    /// ``BasaltError/invalidBatch(reason:)`` with Kafka's message.
    public func validateRecords(
        decompressedLimit limit: Int = 256 << 20, requireKeys: Bool = false
    ) throws {
        var keyless = false
        try withRecordsSection(decompressedLimit: limit) { section, sectionStorage, sectionStart in
            try Self.walkRecords(section, header: header) { _, _, _, keyCount, _, _, _ in
                if keyCount < 0 { keyless = true }
            }
        }
        if requireKeys && keyless && !header.isControl {
            throw BasaltError.invalidBatch(reason: "Compacted topic cannot accept message without key")
        }
    }

    /// Appends the batch's records at or above `minimumOffset` to `output`, marked as
    /// read from `partition`.
    public func appendRecords(
        to output: inout [ConsumerRecord], from minimumOffset: Int64 = .min, partition: Int32 = 0,
        decompressedLimit limit: Int = 256 << 20
    ) throws {
        let header = self.header
        try withRecordsSection(decompressedLimit: limit) { section, sectionStorage, sectionStart in
            try Self.walkRecords(section, header: header) { offsetDelta, timestampDelta, keyStart, keyCount, valueStart, valueCount, headers in
                let offset = header.baseOffset + Int64(offsetDelta)
                guard offset >= minimumOffset else { return }
                let timestamp = header.isLogAppendTime ? header.maxTimestamp : header.baseTimestamp &+ timestampDelta
                output.append(ConsumerRecord(
                    partition: partition, offset: offset, timestamp: timestamp, headers: headers, storage: sectionStorage,
                    keyStart: sectionStart + keyStart, keyCount: keyCount,
                    valueStart: sectionStart + valueStart, valueCount: valueCount))
            }
        }
    }

    /// Calls `body` with the uncompressed records section, the array that holds it and
    /// where the section starts in that array.
    private func withRecordsSection(
        decompressedLimit limit: Int,
        _ body: (UnsafeRawBufferPointer, [UInt8], Int) throws -> Void
    ) throws {
        let sectionStart = start + RecordBatchHeader.size
        let sectionEnd = start + header.totalSize
        guard let codec = header.compression else {
            throw BasaltError.unsupportedCompression(codec: "invalid codec number \(header.codecNumber)")
        }
        switch codec {
        case .none:
            try storage.withUnsafeBytes { raw in
                try body(UnsafeRawBufferPointer(rebasing: raw[sectionStart..<sectionEnd]), storage, sectionStart)
            }
        case .gzip, .snappy, .lz4, .zstd:
            // Records are at least 7 bytes, so the count bounds a useful first guess;
            // each decoder caps it at what its format can expand the section to.
            let guess = Int(header.recordsCount) * 16
            let plain = try storage.withUnsafeBytes { raw in
                try codec.decompress(
                    UnsafeRawBufferPointer(rebasing: raw[sectionStart..<sectionEnd]), expectedSize: guess, limit: limit)
            }
            try plain.withUnsafeBytes { raw in try body(raw, plain, 0) }
        }
    }

    /// Walks the records of an uncompressed records section, checking each one.
    /// `visit` gets offset delta, timestamp delta, key start and count (−1 null), value
    /// start and count (−1 null), and headers; positions are relative to `section`.
    /// A batch with one record per offset must have offset deltas 0, 1, 2, …; a
    /// compacted one (fewer records) increasing deltas within the batch's range.
    @inline(__always)
    static func walkRecords(
        _ section: UnsafeRawBufferPointer, header: RecordBatchHeader,
        _ visit: (Int, Int64, Int, Int, Int, Int, [RecordHeader]) -> Void
    ) throws {
        var position = 0
        var previousDelta = -1
        let contiguous = Int64(header.recordsCount) == Int64(header.lastOffsetDelta) + 1
        let count = Int(header.recordsCount)
        for index in 0..<count {
            guard let bodySize = Varint.read32(section, &position), bodySize >= 6,
                  bodySize <= section.count - position else {
                throw recordError(index, "length runs past the records section")
            }
            let recordEnd = position + bodySize
            let record = UnsafeRawBufferPointer(rebasing: section[..<recordEnd])
            position += 1  // attributes, unused
            guard let timestampDelta = Varint.read(record, &position) else { throw recordError(index, "bad timestamp delta") }
            guard let offsetDelta = Varint.read32(record, &position),
                  contiguous ? offsetDelta == index : offsetDelta > previousDelta && offsetDelta <= Int(header.lastOffsetDelta) else {
                throw recordError(index, contiguous ? "offset delta is not \(index)" : "offset delta out of order or past the batch")
            }
            previousDelta = offsetDelta
            guard let keyCount = Varint.read32(record, &position), keyCount >= -1,
                  keyCount <= recordEnd - position else { throw recordError(index, "bad key length") }
            let keyStart = position
            position += max(keyCount, 0)
            guard let valueCount = Varint.read32(record, &position), valueCount >= -1,
                  valueCount <= recordEnd - position else { throw recordError(index, "bad value length") }
            let valueStart = position
            position += max(valueCount, 0)
            guard let headerCount = Varint.read32(record, &position), headerCount >= 0,
                  headerCount <= (recordEnd - position) / 2 else { throw recordError(index, "bad header count") }
            var headers: [RecordHeader] = []
            if headerCount > 0 {
                headers.reserveCapacity(headerCount)
                for _ in 0..<headerCount {
                    guard let headerKeyCount = Varint.read32(record, &position), headerKeyCount >= 0,
                          headerKeyCount <= recordEnd - position else { throw recordError(index, "bad header key length") }
                    let key = String(decoding: UnsafeRawBufferPointer(rebasing: record[position..<(position + headerKeyCount)]),
                                     as: UTF8.self)
                    position += headerKeyCount
                    guard let headerValueCount = Varint.read32(record, &position), headerValueCount >= -1,
                          headerValueCount <= recordEnd - position else { throw recordError(index, "bad header value length") }
                    let value = headerValueCount < 0 ? nil
                        : Array(UnsafeRawBufferPointer(rebasing: record[position..<(position + headerValueCount)]))
                    position += max(headerValueCount, 0)
                    headers.append(RecordHeader(key: key, value: value))
                }
            }
            guard position == recordEnd else { throw recordError(index, "\(recordEnd - position) unexplained bytes") }
            visit(offsetDelta, timestampDelta, keyStart, keyCount, valueStart, valueCount, headers)
        }
        guard position == section.count else {
            throw BasaltError.invalidBatch(reason: "\(section.count - position) bytes after the last of \(count) records")
        }
    }

    private static func recordError(_ index: Int, _ reason: String) -> BasaltError {
        BasaltError.invalidBatch(reason: "record \(index): \(reason)")
    }
}
