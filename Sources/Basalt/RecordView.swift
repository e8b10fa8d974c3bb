/// One record of a ``PartitionLog/forEachRecord(from:maxBytes:isolation:_:)`` walk, seen in place.
///
/// Key, value and header bytes point into a buffer the log reuses for the next batch and
/// the next call, so the view is noncopyable and handed to the visitor borrowed: it costs
/// no allocation and no reference counting, and its buffers are valid only during the
/// call that received it. Copy out what must outlive it (`Array(view.value!)`).
public struct RecordView: ~Copyable {
    /// The record's offset in its partition.
    public let offset: Int64
    /// Milliseconds since the Unix epoch: the producer's time, or the append time when
    /// the batch uses log-append time.
    public let timestamp: Int64
    /// The key, or nil for a null key. Valid only during the visit.
    public let key: UnsafeRawBufferPointer?
    /// The value, or nil for a tombstone. Valid only during the visit.
    public let value: UnsafeRawBufferPointer?
    /// How many headers the record carries.
    public let headerCount: Int
    /// The record's encoded headers, already checked by the walk that made the view.
    let headerBytes: UnsafeRawBufferPointer

    init(offset: Int64, timestamp: Int64, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
         headerCount: Int, headerBytes: UnsafeRawBufferPointer) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headerCount = headerCount
        self.headerBytes = headerBytes
    }

    /// The headers in order, decoded now: each call allocates, so a visitor that does not
    /// need headers pays nothing for them.
    public var headers: [RecordHeader] {
        guard headerCount > 0 else { return [] }
        var headers: [RecordHeader] = []
        headers.reserveCapacity(headerCount)
        var position = 0
        // The walk checked every length against the record's end, so these reads succeed;
        // the guards only keep a broken invariant from reading out of bounds.
        for _ in 0..<headerCount {
            guard let keyCount = Varint.read32(headerBytes, &position), keyCount >= 0,
                  keyCount <= headerBytes.count - position else { break }
            let key = String(decoding: UnsafeRawBufferPointer(rebasing: headerBytes[position..<(position + keyCount)]),
                             as: UTF8.self)
            position += keyCount
            guard let valueCount = Varint.read32(headerBytes, &position), valueCount >= -1,
                  valueCount <= headerBytes.count - position else { break }
            let value = valueCount < 0 ? nil
                : Array(UnsafeRawBufferPointer(rebasing: headerBytes[position..<(position + valueCount)]))
            position += max(valueCount, 0)
            headers.append(RecordHeader(key: key, value: value))
        }
        return headers
    }
}
