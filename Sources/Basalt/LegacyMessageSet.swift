import CZlib

/// Kafka's message sets of magic 0 and 1 (the formats before record batch v2), which old
/// clients still send in Produce v0–2 and expect in Fetch v0–3. Basalt never stores them:
/// ``convertToBatch(_:maxMessageBytes:decompressedLimit:)`` turns a produced message set
/// into one record batch v2, and ``downConvert(_:from:magic:)`` turns stored batches back
/// into messages for an old fetcher.
///
/// Layout of one entry (big-endian):
/// ```
/// offset        int64    absolute (magic 0), or relative 0… inside a magic 1 wrapper
/// message_size  int32    bytes from crc to the end of value
/// crc           uint32   CRC-32 (IEEE, zlib's) of magic … value
/// magic         int8     0 or 1
/// attributes    int8     bits 0–2 codec (0 none, 1 gzip, 2 snappy, 3 lz4),
///                        bit 3 timestamp type (magic 1: 0 CreateTime, 1 LogAppendTime)
/// timestamp     int64    magic 1 only (ms)
/// key           bytes    int32 length, −1 = null
/// value         bytes    int32 length, −1 = null
/// ```
/// A compressed message (a wrapper) holds in its value a compressed message set of the
/// same magic whose messages are not compressed themselves: Kafka allows one level only.
/// Magic 0 LZ4 wrappers carry a frame header checksum computed over the wrong bytes
/// (Kafka's KafkaLZ4BlockInputStream ignores it for magic 0); zstd needs magic 2.
public enum LegacyMessageSet {
    /// Bytes before `crc`: offset and message size.
    public static let logOverhead = 12
    /// The smallest message of magic 0 after its size field: crc, magic, attributes, two
    /// length fields.
    public static let minimumMessageSizeV0 = 14
    /// The smallest message of magic 1 after its size field (magic 0 plus the timestamp).
    public static let minimumMessageSizeV1 = 22

    /// One message of a legacy message set, with its compressed wrapper already opened.
    public struct Message: Sendable, Equatable {
        /// Offset as written by the sender (absolute or relative, see the type's layout).
        public var offset: Int64
        /// 0 or 1.
        public var magic: Int8
        /// Milliseconds since the epoch (magic 1), or −1 (magic 0 has none).
        public var timestamp: Int64
        /// The key; `nil` is a null key.
        public var key: [UInt8]?
        /// The value; `nil` is a tombstone.
        public var value: [UInt8]?
    }

    /// Parses a produced message set into its messages, opening compressed wrappers.
    ///
    /// - Parameters:
    ///   - bytes: the whole `records` field of a Produce v0–2 partition.
    ///   - maxMessageBytes: the most bytes one top-level message (a wrapper counts whole)
    ///     may take, with its offset and size fields: the topic's `max.message.bytes`.
    ///   - decompressedLimit: the most bytes a wrapper's value may decompress to.
    /// - Returns: the messages in order and the codec of the first compressed wrapper
    ///   (`.none` when none was compressed).
    /// - Throws: ``BasaltError/crcMismatch(stored:computed:)`` for a bad CRC and
    ///   ``BasaltError/corruptMessage(reason:)`` for a bad size, a truncated message or
    ///   lengths that do not fit (Kafka's CORRUPT_MESSAGE); ``BasaltError/invalidBatch(reason:)``
    ///   for a bad magic, nested compression, a wrapper without messages or an empty set
    ///   (INVALID_RECORD);
    ///   ``BasaltError/unsupportedCompression(codec:)`` for zstd or codecs 5–7;
    ///   ``BasaltError/messageTooLarge(bytes:limit:)``;
    ///   ``BasaltError/corruptCompressedData(reason:)``.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxMessageBytes: Int, decompressedLimit: Int = 256 << 20
    ) throws -> (messages: [Message], codec: CompressionCodec) {
        var messages: [Message] = []
        var codec = CompressionCodec.none
        var position = 0
        guard bytes.count > 0 else { throw BasaltError.invalidBatch(reason: "empty message set") }
        while position < bytes.count {
            let entry = try readEntry(bytes, at: position)
            guard entry.totalSize <= maxMessageBytes else {
                throw BasaltError.messageTooLarge(bytes: entry.totalSize, limit: maxMessageBytes)
            }
            position += entry.totalSize
            let wrapperCodec = entry.codec
            guard wrapperCodec != .none else {
                messages.append(entry.message)
                continue
            }
            if codec == .none { codec = wrapperCodec }
            guard let compressed = entry.message.value else {
                throw BasaltError.invalidBatch(reason: "compressed message without a value")
            }
            let plain = try decompress(compressed, codec: wrapperCodec, magic: entry.message.magic, limit: decompressedLimit)
            try plain.withUnsafeBytes { inner in
                var innerPosition = 0
                guard inner.count > 0 else { throw BasaltError.invalidBatch(reason: "compressed message holds no message") }
                while innerPosition < inner.count {
                    let innerEntry = try readEntry(inner, at: innerPosition)
                    innerPosition += innerEntry.totalSize
                    guard innerEntry.codec == .none else {
                        throw BasaltError.invalidBatch(reason: "compressed message inside a compressed message")
                    }
                    guard innerEntry.message.magic == entry.message.magic else {
                        throw BasaltError.invalidBatch(
                            reason: "inner message of magic \(innerEntry.message.magic) in a wrapper of magic \(entry.message.magic)")
                    }
                    var message = innerEntry.message
                    // Under a LogAppendTime wrapper the inner timestamps mean nothing; the
                    // wrapper's is the time of every message.
                    if entry.isLogAppendTime { message.timestamp = entry.message.timestamp }
                    messages.append(message)
                }
            }
        }
        return (messages, codec)
    }

    /// Converts a produced message set into one record batch v2 holding the same keys,
    /// values and timestamps (−1 for magic 0), compressed with the codec of its first
    /// compressed wrapper. Offsets are left for the log to assign, as Kafka does.
    ///
    /// - Throws: what ``parse(_:maxMessageBytes:decompressedLimit:)`` throws.
    public static func convertToBatch(
        _ bytes: UnsafeRawBufferPointer, maxMessageBytes: Int, decompressedLimit: Int = 256 << 20
    ) throws -> (batch: [UInt8], recordCount: Int) {
        let (messages, codec) = try parse(bytes, maxMessageBytes: maxMessageBytes, decompressedLimit: decompressedLimit)
        let records = messages.map { Record(key: $0.key, value: $0.value, timestamp: $0.timestamp) }
        return (try RecordBatchEncoder.encode(records, compression: codec, timestamp: -1), records.count)
    }

    /// Converts record batches v2 into uncompressed messages of `magic` for an old fetcher.
    ///
    /// Records below `minimumOffset` are skipped (a read returns whole batches), control
    /// batches are skipped, headers are dropped (magic 0 and 1 have none), and a batch
    /// with LogAppendTime gives its messages that type and time (magic 1). The output is
    /// never compressed: that spares a second compression per fetch and the broken LZ4
    /// header old magic 0 readers expect, at the price of more bytes on the wire.
    ///
    /// - Parameters:
    ///   - batches: whole v2 batches, as a log read returns them.
    ///   - magic: 0 or 1.
    ///   - maxBytes: conversion stops at the first message that ends past it (that message
    ///     is still written, so the caller sees whether anything fits): a fetch's limit, so a
    ///     read of highly compressed batches is not re-encoded whole only to be cut.
    /// - Returns: the messages and the offset where each message ends in it.
    /// - Throws: ``BasaltError/unsupportedCompression(codec:)`` for a zstd batch (an old
    ///   fetcher cannot read zstd; Kafka answers UNSUPPORTED_COMPRESSION_TYPE); what
    ///   ``RecordBatch`` throws for a damaged batch.
    public static func downConvert(
        _ batches: [UInt8], from minimumOffset: Int64, magic: Int8, maxBytes: Int = .max,
        decompressedLimit: Int = 256 << 20
    ) throws -> (bytes: [UInt8], messageEnds: [Int]) {
        precondition(magic == 0 || magic == 1, "down-conversion targets magic 0 or 1")
        var output: [UInt8] = []
        var ends: [Int] = []
        output.reserveCapacity(min(batches.count + batches.count / 2, maxBytes))
        var position = 0
        while position < batches.count {
            let batch = try RecordBatch(storage: batches, at: position)
            position += batch.header.totalSize
            if batch.header.isControl { continue }
            if batch.header.compression == .zstd {
                throw BasaltError.unsupportedCompression(codec: "zstd cannot be sent as message format \(magic)")
            }
            let logAppendTime = batch.header.isLogAppendTime
            for record in try batch.records(from: minimumOffset, decompressedLimit: decompressedLimit) {
                appendMessage(
                    to: &output, offset: record.offset, magic: magic, logAppendTime: logAppendTime,
                    timestamp: record.timestamp, key: record.key, value: record.value)
                ends.append(output.count)
                if output.count > maxBytes { return (output, ends) }
            }
        }
        return (output, ends)
    }

    /// Appends one uncompressed message with its offset and size fields.
    public static func appendMessage(
        to output: inout [UInt8], offset: Int64, magic: Int8, logAppendTime: Bool = false,
        timestamp: Int64, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?, codec: CompressionCodec = .none
    ) {
        let size = (magic == 0 ? minimumMessageSizeV0 : minimumMessageSizeV1) + (key?.count ?? 0) + (value?.count ?? 0)
        appendBigEndian(&output, UInt64(bitPattern: offset), bytes: 8)
        appendBigEndian(&output, UInt64(UInt32(truncatingIfNeeded: size)), bytes: 4)
        let crcPosition = output.count
        appendBigEndian(&output, 0, bytes: 4)
        output.append(UInt8(bitPattern: magic))
        var attributes = UInt8(codec.rawValue)
        if magic == 1 && logAppendTime { attributes |= 0x08 }
        output.append(attributes)
        if magic == 1 { appendBigEndian(&output, UInt64(bitPattern: timestamp), bytes: 8) }
        appendBytesField(&output, key)
        appendBytesField(&output, value)
        let crc = output.withUnsafeBytes { raw in checksum(UnsafeRawBufferPointer(rebasing: raw[(crcPosition + 4)...])) }
        for index in 0..<4 { output[crcPosition + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(index))) }
    }

    /// CRC-32 (IEEE 802.3, the polynomial zlib and Java's `java.util.zip.CRC32` use), which
    /// magic 0 and 1 messages carry; record batches v2 use CRC-32C instead.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        var crc: UInt = 0
        var position = 0
        // zlib's length is a uInt: feed it in chunks so no size is truncated.
        while position < bytes.count {
            let chunk = min(bytes.count - position, 1 << 30)
            crc = crc32(crc, base.assumingMemoryBound(to: Bytef.self) + position, uInt(chunk))
            position += chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    // MARK: - Parsing

    private struct Entry {
        var message: Message
        var codec: CompressionCodec
        var isLogAppendTime: Bool
        var totalSize: Int
    }

    /// Reads and checks the entry at `position`: size, CRC, magic, attributes, lengths.
    private static func readEntry(_ bytes: UnsafeRawBufferPointer, at position: Int) throws -> Entry {
        let remaining = bytes.count - position
        guard remaining >= logOverhead else {
            throw BasaltError.corruptMessage(reason: "truncated message at byte \(position): \(remaining) bytes left")
        }
        let offset = Int64(bitPattern: readBigEndian(bytes, position, 8))
        let size = Int(Int32(bitPattern: UInt32(readBigEndian(bytes, position + 8, 4))))
        guard size >= minimumMessageSizeV0 else {
            throw BasaltError.corruptMessage(reason: "message at byte \(position) has size \(size)")
        }
        guard size <= remaining - logOverhead else {
            throw BasaltError.corruptMessage(
                reason: "truncated message at byte \(position): size \(size), \(remaining - logOverhead) bytes left")
        }
        let start = position + logOverhead
        let end = start + size
        let stored = UInt32(readBigEndian(bytes, start, 4))
        let computed = checksum(UnsafeRawBufferPointer(rebasing: bytes[(start + 4)..<end]))
        guard stored == computed else { throw BasaltError.crcMismatch(stored: stored, computed: computed) }
        let magic = Int8(bitPattern: bytes[start + 4])
        guard magic == 0 || magic == 1 else {
            throw BasaltError.invalidBatch(reason: "message at byte \(position) has magic \(magic) in a message set")
        }
        guard magic == 0 || size >= minimumMessageSizeV1 else {
            throw BasaltError.corruptMessage(reason: "magic 1 message at byte \(position) has size \(size)")
        }
        let attributes = bytes[start + 5]
        let codecNumber = Int16(attributes & 0x07)
        guard let codec = CompressionCodec(rawValue: codecNumber) else {
            throw BasaltError.unsupportedCompression(codec: "invalid codec number \(codecNumber)")
        }
        guard codec != .zstd else {
            throw BasaltError.unsupportedCompression(codec: "zstd needs message format v2, not magic \(magic)")
        }
        var cursor = start + 6
        var timestamp: Int64 = -1
        if magic == 1 {
            timestamp = Int64(bitPattern: readBigEndian(bytes, cursor, 8))
            cursor += 8
        }
        let key = try readBytesField(bytes, &cursor, end: end, what: "key", at: position)
        let value = try readBytesField(bytes, &cursor, end: end, what: "value", at: position)
        guard cursor == end else {
            throw BasaltError.corruptMessage(reason: "message at byte \(position) has \(end - cursor) bytes after its value")
        }
        return Entry(
            message: Message(offset: offset, magic: magic, timestamp: timestamp, key: key, value: value),
            codec: codec, isLogAppendTime: magic == 1 && attributes & 0x08 != 0, totalSize: logOverhead + size)
    }

    private static func readBytesField(
        _ bytes: UnsafeRawBufferPointer, _ cursor: inout Int, end: Int, what: String, at position: Int
    ) throws -> [UInt8]? {
        guard end - cursor >= 4 else {
            throw BasaltError.corruptMessage(reason: "message at byte \(position) ends inside its \(what) length")
        }
        let length = Int(Int32(bitPattern: UInt32(readBigEndian(bytes, cursor, 4))))
        cursor += 4
        if length == -1 { return nil }
        guard length >= 0, length <= end - cursor else {
            throw BasaltError.corruptMessage(reason: "message at byte \(position) has \(what) length \(length)")
        }
        defer { cursor += length }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor + length)]))
    }

    private static func decompress(_ value: [UInt8], codec: CompressionCodec, magic: Int8, limit: Int) throws -> [UInt8] {
        var input = value
        if codec == .lz4 && magic == 0 { LZ4Frame.repairLegacyHeaderChecksum(&input) }
        return try input.withUnsafeBytes { raw in try codec.decompress(raw, expectedSize: raw.count * 4, limit: limit) }
    }

    @inline(__always)
    private static func readBigEndian(_ bytes: UnsafeRawBufferPointer, _ position: Int, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<count { value = value << 8 | UInt64(bytes[position + index]) }
        return value
    }

    @inline(__always)
    private static func appendBytesField(_ output: inout [UInt8], _ field: ArraySlice<UInt8>?) {
        guard let field else { return appendBigEndian(&output, UInt64(UInt32.max), bytes: 4) }
        appendBigEndian(&output, UInt64(field.count), bytes: 4)
        output.append(contentsOf: field)
    }

    @inline(__always)
    private static func appendBigEndian(_ output: inout [UInt8], _ value: UInt64, bytes count: Int) {
        for index in stride(from: count - 1, through: 0, by: -1) {
            output.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }
}
