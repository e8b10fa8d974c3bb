/// The layout of one entry of a memory-mapped index file.
///
/// Entries are fixed-size, big-endian, and sorted by ``key``, so a lookup is a binary
/// search over the mapped file.
protocol IndexEntry: Sendable {
    /// Bytes per entry.
    static var size: Int { get }
    /// What the index is searched by: the relative offset for the offset index, the
    /// timestamp for the time index.
    var key: Int64 { get }
    /// Reads an entry at `pointer`.
    init(loading pointer: UnsafeRawPointer)
    /// Writes the entry at `pointer`.
    func store(to pointer: UnsafeMutableRawPointer)
}

/// An entry of a segment's `.index` file: 8 bytes, `relativeOffset int32` (offset minus
/// the segment's base offset) then `position int32` (byte position of the batch in the
/// `.log`). As in Kafka, the offset is the *last* offset of the batch at `position`.
struct OffsetIndexEntry: IndexEntry, Hashable {
    static let size = 8
    var relativeOffset: Int32
    var position: Int32

    var key: Int64 { Int64(relativeOffset) }

    init(relativeOffset: Int32, position: Int32) {
        self.relativeOffset = relativeOffset
        self.position = position
    }

    init(loading pointer: UnsafeRawPointer) {
        relativeOffset = pointer.loadBigEndian(0)
        position = pointer.loadBigEndian(4)
    }

    func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBigEndian(relativeOffset, at: 0)
        pointer.storeBigEndian(position, at: 4)
    }
}

/// An entry of a segment's `.timeindex` file: 12 bytes, `timestamp int64` (the largest
/// timestamp in the segment up to this point) then `relativeOffset int32` (the last
/// offset of the batch that brought it).
struct TimeIndexEntry: IndexEntry, Hashable {
    static let size = 12
    var timestamp: Int64
    var relativeOffset: Int32

    var key: Int64 { timestamp }

    init(timestamp: Int64, relativeOffset: Int32) {
        self.timestamp = timestamp
        self.relativeOffset = relativeOffset
    }

    init(loading pointer: UnsafeRawPointer) {
        timestamp = pointer.loadBigEndian(0)
        relativeOffset = pointer.loadBigEndian(8)
    }

    func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBigEndian(timestamp, at: 0)
        pointer.storeBigEndian(relativeOffset, at: 8)
    }
}
