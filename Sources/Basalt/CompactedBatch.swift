/// Rewrites one stored record batch keeping only the records the log cleaner retains,
/// the way Kafka's cleaner does (`MemoryRecords.filterTo`):
///
/// - The base offset, last offset delta, producer id, epoch and base sequence, leader
///   epoch, timestamp type and codec stay as they were, and so does each kept record's
///   offset delta: offsets never change, and the batch keeps covering its whole original
///   offset range, so the offsets of removed records become gaps.
/// - A batch whose records all stay (and whose tombstones need no delete horizon) is
///   kept byte for byte.
/// - A batch left without records is dropped, unless `retainEmpty` (the last batch of
///   its producer, or the batch that ends a cleaned segment): it is then kept with no
///   records, uncompressed, as Kafka writes an empty batch, so its header still carries
///   the producer's last sequence and the segment still ends where it did.
/// - The first time a batch with a tombstone is cleaned, its delete horizon (`now` plus
///   ``LogConfig/deleteRetentionMs``) is stored in `baseTimestamp` and attribute bit 6 is
///   set (Kafka's KIP-534); each record's timestamp delta is rewritten against it so the
///   records keep their timestamps. Once the horizon has passed, the tombstones go.
/// - The records section is recompressed with the batch's codec and the CRC recomputed.
enum CompactedBatch {
    /// Attribute bit 6: `baseTimestamp` holds the delete horizon.
    static let deleteHorizonFlag: Int16 = 0x40

    /// One record of a batch as the cleaner sees it.
    struct Candidate {
        let offset: Int64
        /// Nil for a null key.
        let key: UnsafeRawBufferPointer?
        let isTombstone: Bool
    }

    /// What became of a batch.
    enum Outcome {
        /// Written unchanged.
        case unchanged
        /// Replaced by these bytes.
        case rewritten([UInt8])
        /// Removed.
        case dropped
    }

    /// Filters `batch`. `keep` decides each record, given whether the batch's delete
    /// horizon (if any) has passed at `nowMs`.
    ///
    /// - Throws: ``BasaltError/invalidBatch(reason:)`` and the codec errors for a batch
    ///   whose records do not decode (the caller reports the segment as corrupt).
    static func filter(
        _ batch: RecordBatch, nowMs: Int64, deleteRetentionMs: Int64, retainEmpty: Bool,
        keep: (Candidate, _ horizonPassed: Bool) -> Bool
    ) throws -> Outcome {
        var header = batch.header
        // Transaction markers and batches of an unknown codec are left alone.
        guard !header.isControl, let codec = header.compression else { return .unchanged }
        let hasHorizon = header.attributes & deleteHorizonFlag != 0
        let horizonPassed = hasHorizon && header.baseTimestamp < nowMs

        let plain: [UInt8]
        let sectionStart = batch.start + RecordBatchHeader.size
        let sectionEnd = batch.start + header.totalSize
        if codec == .none {
            plain = Array(batch.storage[sectionStart..<sectionEnd])
        } else {
            plain = try batch.storage.withUnsafeBytes { raw in
                try codec.decompress(UnsafeRawBufferPointer(rebasing: raw[sectionStart..<sectionEnd]),
                                     expectedSize: Int(header.recordsCount) * 16, limit: 256 << 20)
            }
        }
        // Kept records: their byte range in `plain`, timestamp delta and where it ends.
        var kept: [(start: Int, timestampStart: Int, timestampEnd: Int, end: Int, timestamp: Int64)] = []
        var keptTombstone = false
        var maxKeptTimestamp = Int64.min
        try plain.withUnsafeBytes { section in
            var position = 0
            var previousDelta = -1
            for index in 0..<Int(header.recordsCount) {
                let recordStart = position
                guard let bodySize = Varint.read32(section, &position), bodySize >= 6,
                      bodySize <= section.count - position else { throw recordError(index, "bad length") }
                let recordEnd = position + bodySize
                let record = UnsafeRawBufferPointer(rebasing: section[..<recordEnd])
                position += 1
                let timestampStart = position
                guard let timestampDelta = Varint.read(record, &position) else { throw recordError(index, "bad timestamp delta") }
                let timestampEnd = position
                guard let offsetDelta = Varint.read32(record, &position), offsetDelta > previousDelta,
                      offsetDelta <= Int(header.lastOffsetDelta) else { throw recordError(index, "bad offset delta") }
                previousDelta = offsetDelta
                guard let keyCount = Varint.read32(record, &position), keyCount >= -1,
                      keyCount <= recordEnd - position else { throw recordError(index, "bad key length") }
                let key = keyCount < 0 ? nil : UnsafeRawBufferPointer(rebasing: record[position..<(position + keyCount)])
                position += max(keyCount, 0)
                guard let valueCount = Varint.read32(record, &position), valueCount >= -1,
                      valueCount <= recordEnd - position else { throw recordError(index, "bad value length") }
                position += max(valueCount, 0)
                // The headers are checked as the readers check them, so a record they would
                // refuse is never copied into a batch with a fresh CRC.
                guard let headerCount = Varint.read32(record, &position), headerCount >= 0,
                      headerCount <= (recordEnd - position) / 2 else { throw recordError(index, "bad header count") }
                for _ in 0..<headerCount {
                    guard let keyLength = Varint.read32(record, &position), keyLength >= 0,
                          keyLength <= recordEnd - position else { throw recordError(index, "bad header key length") }
                    position += keyLength
                    guard let valueLength = Varint.read32(record, &position), valueLength >= -1,
                          valueLength <= recordEnd - position else { throw recordError(index, "bad header value length") }
                    position += max(valueLength, 0)
                }
                guard position == recordEnd else { throw recordError(index, "\(recordEnd - position) unexplained bytes") }
                let candidate = Candidate(offset: header.baseOffset + Int64(offsetDelta), key: key, isTombstone: valueCount < 0)
                if keep(candidate, horizonPassed) {
                    let timestamp = header.baseTimestamp &+ timestampDelta
                    kept.append((recordStart, timestampStart, timestampEnd, recordEnd, timestamp))
                    keptTombstone = keptTombstone || candidate.isTombstone
                    maxKeptTimestamp = max(maxKeptTimestamp, timestamp)
                }
            }
            guard position == section.count else { throw BasaltError.invalidBatch(reason: "bytes after the last record") }
        }

        let setHorizon = keptTombstone && !hasHorizon
        if kept.count == Int(header.recordsCount) && !setHorizon { return .unchanged }
        if kept.isEmpty && !retainEmpty { return .dropped }

        var newBase = header.baseTimestamp
        if setHorizon {
            newBase = nowMs &+ deleteRetentionMs
            header.attributes |= deleteHorizonFlag
        }
        var records: [UInt8] = []
        records.reserveCapacity(plain.count)
        var scratch = [UInt8](repeating: 0, count: 20)
        plain.withUnsafeBytes { section in
            for record in kept {
                if !setHorizon {
                    records.append(contentsOf: UnsafeRawBufferPointer(rebasing: section[record.start..<record.end]))
                    continue
                }
                // Length, attributes, the new timestamp delta, then the rest as it was.
                let newDelta = record.timestamp &- newBase
                var probe = record.start
                _ = Varint.read32(section, &probe)
                let bodyStart = probe
                let oldBody = record.end - bodyStart
                let newBody = oldBody - (record.timestampEnd - record.timestampStart) + Varint.size(of: newDelta)
                scratch.withUnsafeMutableBytes { raw in
                    let count = Varint.write(newBody, to: raw.baseAddress!)
                    records.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[..<count]))
                }
                records.append(section[bodyStart])
                scratch.withUnsafeMutableBytes { raw in
                    let count = Varint.write(newDelta, to: raw.baseAddress!)
                    records.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[..<count]))
                }
                records.append(contentsOf: UnsafeRawBufferPointer(rebasing: section[record.timestampEnd..<record.end]))
            }
        }
        header.baseTimestamp = newBase
        header.recordsCount = Int32(kept.count)
        if kept.isEmpty {
            header.attributes &= ~0x7
        } else if !header.isLogAppendTime {
            header.maxTimestamp = maxKeptTimestamp
        }
        let section: [UInt8] = kept.isEmpty || codec == .none ? records : try records.withUnsafeBytes { try codec.compress($0) }
        let total = RecordBatchHeader.size + section.count
        header.batchLength = Int32(total - RecordBatchHeader.logOverhead)
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            header.write(to: base)
            section.withUnsafeBytes { source in
                if source.count > 0 {
                    (base + RecordBatchHeader.size).copyMemory(from: source.baseAddress!, byteCount: source.count)
                }
            }
            RecordBatchEncoder.sealCRC(UnsafeMutableRawBufferPointer(start: base, count: total))
            count = total
        }
        return .rewritten(bytes)
    }

    private static func recordError(_ index: Int, _ reason: String) -> BasaltError {
        BasaltError.invalidBatch(reason: "record \(index): \(reason)")
    }
}
