/// The 61-byte header of a Kafka record batch v2 (magic 2). All integers big-endian.
///
/// ```
/// off size field
///   0   8  baseOffset            offset of the first record, assigned on append
///   8   4  batchLength           bytes after this field (batch size − 12)
///  12   4  partitionLeaderEpoch
///  16   1  magic                 always 2
///  17   4  crc                   CRC-32C of bytes [21, end of batch)
///  21   2  attributes            bits 0–2 codec, 3 timestamp type, 4 transactional, 5 control
///  23   4  lastOffsetDelta       last offset − baseOffset
///  27   8  baseTimestamp
///  35   8  maxTimestamp
///  43   8  producerId            −1 when not idempotent
///  51   2  producerEpoch
///  53   4  baseSequence
///  57   4  recordsCount
///  61      records (compressed as one stream when the codec is not none)
/// ```
/// The CRC does not cover the base offset, length, leader epoch or magic, so the log
/// assigns offsets by rewriting the first 8 bytes without recomputing it.
public struct RecordBatchHeader: Sendable, Hashable {
    /// Size of the header in bytes; also the smallest valid batch.
    public static let size = 61
    /// Bytes before `batchLength`'s coverage starts: base offset and the length itself.
    public static let logOverhead = 12
    /// Byte position of the CRC field.
    static let crcPosition = 17
    /// Byte position where CRC coverage starts.
    static let attributesPosition = 21

    /// Offset of the first record.
    public var baseOffset: Int64
    /// Bytes after this field: the batch size minus 12.
    public var batchLength: Int32
    /// Leader epoch of the partition when the batch was appended.
    public var partitionLeaderEpoch: Int32
    /// Format version; 2 for every batch Basalt accepts.
    public var magic: Int8
    /// Stored CRC-32C of bytes 21 to the end of the batch.
    public var crc: UInt32
    /// Codec, timestamp type, transactional and control bits.
    public var attributes: Int16
    /// Offset of the last record minus ``baseOffset``.
    public var lastOffsetDelta: Int32
    /// Timestamp of the first record, ms since the epoch.
    public var baseTimestamp: Int64
    /// Largest record timestamp, or the append time under log-append time.
    public var maxTimestamp: Int64
    /// Idempotent producer id, −1 when none.
    public var producerId: Int64
    /// Producer epoch, −1 when none.
    public var producerEpoch: Int16
    /// Sequence number of the first record, −1 when none.
    public var baseSequence: Int32
    /// Number of records in the batch.
    public var recordsCount: Int32

    /// Total size of the batch in bytes, header included.
    public var totalSize: Int { Int(batchLength) + Self.logOverhead }
    /// Offset of the last record.
    public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }
    /// The offset after this batch.
    public var nextOffset: Int64 { lastOffset + 1 }
    /// The codec number in bits 0–2; ``compression`` is nil for 5–7.
    public var codecNumber: Int16 { attributes & 0x7 }
    /// The compression codec, or nil for an invalid codec number.
    public var compression: CompressionCodec? { CompressionCodec(rawValue: codecNumber) }
    /// Whether record timestamps were set by the broker (bit 3).
    public var isLogAppendTime: Bool { attributes & 0x8 != 0 }
    /// Whether the batch belongs to a transaction (bit 4).
    public var isTransactional: Bool { attributes & 0x10 != 0 }
    /// Whether the batch is a transaction marker (bit 5).
    public var isControl: Bool { attributes & 0x20 != 0 }

    /// Creates a header from its fields.
    public init(
        baseOffset: Int64, batchLength: Int32, partitionLeaderEpoch: Int32 = 0, magic: Int8 = 2,
        crc: UInt32 = 0, attributes: Int16, lastOffsetDelta: Int32, baseTimestamp: Int64,
        maxTimestamp: Int64, producerId: Int64 = -1, producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1, recordsCount: Int32
    ) {
        self.baseOffset = baseOffset
        self.batchLength = batchLength
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.crc = crc
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.recordsCount = recordsCount
    }

    /// Reads the header fields from the first 61 bytes of `bytes`. Checks nothing but
    /// the length of the input; ``validate(available:maxBatchBytes:)`` checks the values.
    public init(parsing bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count >= Self.size else {
            throw BasaltError.invalidBatch(reason: "\(bytes.count) bytes is shorter than the 61-byte batch header")
        }
        baseOffset = bytes.bigEndian(0)
        batchLength = bytes.bigEndian(8)
        partitionLeaderEpoch = bytes.bigEndian(12)
        magic = Int8(bitPattern: bytes[16])
        crc = bytes.bigEndian(17)
        attributes = bytes.bigEndian(21)
        lastOffsetDelta = bytes.bigEndian(23)
        baseTimestamp = bytes.bigEndian(27)
        maxTimestamp = bytes.bigEndian(35)
        producerId = bytes.bigEndian(43)
        producerEpoch = bytes.bigEndian(51)
        baseSequence = bytes.bigEndian(53)
        recordsCount = bytes.bigEndian(57)
    }

    /// Checks the fields that bound the batch: magic 2, a length that covers at least the
    /// header, fits in `available` bytes and in `maxBatchBytes`, and a record count that
    /// agrees with the offset delta.
    /// `allowingCompaction`: see ``validateRecordCount(allowingCompaction:)``.
    public func validate(available: Int, maxBatchBytes: Int = Int(Int32.max), allowingCompaction: Bool = false) throws {
        try validateBounds(available: available, maxBatchBytes: maxBatchBytes)
        try validateRecordCount(allowingCompaction: allowingCompaction)
    }

    /// The checks that must pass before the CRC can be computed: magic 2 and a length
    /// that covers the header and fits in `available` bytes and in `maxBatchBytes`. None
    /// of these fields is covered by the CRC.
    func validateBounds(available: Int, maxBatchBytes: Int) throws {
        guard magic == 2 else { throw BasaltError.invalidBatch(reason: "magic \(magic), expected 2") }
        guard batchLength >= Int32(Self.size - Self.logOverhead) else {
            throw BasaltError.invalidBatch(reason: "batch length \(batchLength) is below the minimum of 49")
        }
        guard totalSize <= maxBatchBytes else { throw BasaltError.messageTooLarge(bytes: totalSize, limit: maxBatchBytes) }
        guard totalSize <= available else {
            throw BasaltError.invalidBatch(reason: "batch of \(totalSize) bytes runs past the \(available) bytes available")
        }
    }

    /// Checks that the base offset is one a log can hold: not negative, and with room
    /// for the last offset and the one after it, so ``lastOffset`` and ``nextOffset``
    /// cannot overflow. For batches read from disk: the base offset is not covered by
    /// the CRC, and a client's is rewritten on append.
    func validateStoredOffsets() throws {
        guard baseOffset >= 0, baseOffset < Int64.max - Int64(lastOffsetDelta) else {
            throw BasaltError.invalidBatch(reason: "base offset \(baseOffset) is outside the offset range")
        }
    }

    /// Checks that the record count agrees with the last offset delta: one record per
    /// offset, at least one. With `allowingCompaction` (a stored batch the log cleaner may
    /// have rewritten), fewer records than offsets, down to none, is allowed, as Kafka
    /// allows it after compaction. Both fields are covered by the CRC, so ``RecordBatch``
    /// runs this after the CRC check: a flipped bit there is reported as a CRC mismatch,
    /// not as a batch a client built wrong.
    func validateRecordCount(allowingCompaction: Bool = false) throws {
        guard recordsCount >= 0, lastOffsetDelta >= 0 else {
            throw BasaltError.invalidBatch(reason: "negative record count \(recordsCount) or offset delta \(lastOffsetDelta)")
        }
        let fits = allowingCompaction
            ? Int64(recordsCount) <= Int64(lastOffsetDelta) + 1
            : recordsCount > 0 && Int64(recordsCount) == Int64(lastOffsetDelta) + 1
        guard fits else {
            throw BasaltError.invalidBatch(
                reason: "record count \(recordsCount) does not match last offset delta \(lastOffsetDelta)")
        }
    }

    /// Writes the header's 61 bytes at `pointer`, CRC field included as stored in ``crc``.
    func write(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBigEndian(baseOffset, at: 0)
        pointer.storeBigEndian(batchLength, at: 8)
        pointer.storeBigEndian(partitionLeaderEpoch, at: 12)
        pointer.storeBytes(of: UInt8(bitPattern: magic), toByteOffset: 16, as: UInt8.self)
        pointer.storeBigEndian(crc, at: 17)
        pointer.storeBigEndian(attributes, at: 21)
        pointer.storeBigEndian(lastOffsetDelta, at: 23)
        pointer.storeBigEndian(baseTimestamp, at: 27)
        pointer.storeBigEndian(maxTimestamp, at: 35)
        pointer.storeBigEndian(producerId, at: 43)
        pointer.storeBigEndian(producerEpoch, at: 51)
        pointer.storeBigEndian(baseSequence, at: 53)
        pointer.storeBigEndian(recordsCount, at: 57)
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func bigEndian<T: FixedWidthInteger>(_ offset: Int, as type: T.Type = T.self) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawPointer {
    @inline(__always)
    func storeBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }
}

extension UnsafeRawPointer {
    @inline(__always)
    func loadBigEndian<T: FixedWidthInteger>(_ offset: Int, as type: T.Type = T.self) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
