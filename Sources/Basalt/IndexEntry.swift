/// The layout of one entry of a segment's index file.
///
/// Entries are fixed-size, big-endian, and sorted by ``key``, so a lookup is a binary
/// search over the file (memory-mapped while its segment is active, read with `pread`
/// once it is sealed).
public protocol IndexEntry: Sendable {
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
public struct OffsetIndexEntry: IndexEntry, Hashable {
    /// Bytes per entry.
    public static let size = 8
    /// The entry's offset minus the segment's base offset.
    public var relativeOffset: Int32
    /// Byte position of a batch in the segment's `.log`.
    public var position: Int32

    /// The relative offset, which the index is sorted and searched by.
    public var key: Int64 { Int64(relativeOffset) }

    /// Creates an entry.
    public init(relativeOffset: Int32, position: Int32) {
        self.relativeOffset = relativeOffset
        self.position = position
    }

    /// Reads an entry's 8 bytes at `pointer`.
    public init(loading pointer: UnsafeRawPointer) {
        relativeOffset = pointer.loadBigEndian(0)
        position = pointer.loadBigEndian(4)
    }

    /// Writes the entry's 8 bytes at `pointer`.
    public func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBigEndian(relativeOffset, at: 0)
        pointer.storeBigEndian(position, at: 4)
    }
}

/// An entry of a segment's `.timeindex` file: 12 bytes, `timestamp int64` (the largest
/// timestamp in the segment up to this point) then `relativeOffset int32` (the last
/// offset of the batch that brought it).
public struct TimeIndexEntry: IndexEntry, Hashable {
    /// Bytes per entry.
    public static let size = 12
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64
    /// The offset of the batch that brought the timestamp, minus the segment's base offset.
    public var relativeOffset: Int32

    /// The timestamp, which the index is sorted and searched by.
    public var key: Int64 { timestamp }

    /// Creates an entry.
    public init(timestamp: Int64, relativeOffset: Int32) {
        self.timestamp = timestamp
        self.relativeOffset = relativeOffset
    }

    /// Reads an entry's 12 bytes at `pointer`.
    public init(loading pointer: UnsafeRawPointer) {
        timestamp = pointer.loadBigEndian(0)
        relativeOffset = pointer.loadBigEndian(8)
    }

    /// Writes the entry's 12 bytes at `pointer`.
    public func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBigEndian(timestamp, at: 0)
        pointer.storeBigEndian(relativeOffset, at: 8)
    }
}
