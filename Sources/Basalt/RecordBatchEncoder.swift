/// Encodes records into one Kafka record batch v2, bytes identical to what a Kafka client
/// writes for the same records and fields.
///
/// The encoder sizes every record first, allocates the batch once and writes through a
/// raw pointer, so the cost is one pass to size, one to copy and one CRC.
public enum RecordBatchEncoder {
    /// Producer fields of an idempotent or transactional batch.
    public struct ProducerFields: Sendable, Hashable {
        /// Producer id, −1 when not idempotent.
        public var producerId: Int64
        /// Producer epoch, −1 when not idempotent.
        public var producerEpoch: Int16
        /// Sequence number of the first record, −1 when not idempotent.
        public var baseSequence: Int32

        /// No producer: all three fields −1.
        public static let none = ProducerFields(producerId: -1, producerEpoch: -1, baseSequence: -1)

        /// Creates producer fields.
        public init(producerId: Int64, producerEpoch: Int16, baseSequence: Int32) {
            self.producerId = producerId
            self.producerEpoch = producerEpoch
            self.baseSequence = baseSequence
        }
    }

    /// Encodes `records` as one batch.
    ///
    /// - Parameters:
    ///   - records: at least one record.
    ///   - compression: any codec; compressed sections take the form Kafka's Java client
    ///     writes (``CompressionCodec/compress(_:)``).
    ///   - baseOffset: written into the header; the log rewrites it on append.
    ///   - timestamp: used for records whose timestamp is nil.
    /// - Throws: ``BasaltError/invalidBatch(reason:)`` for an empty record list,
    ///   ``BasaltError/messageTooLarge(bytes:limit:)`` for a batch past 2 GiB.
    public static func encode(
        _ records: [Record], compression: CompressionCodec = .none, baseOffset: Int64 = 0,
        producer: ProducerFields = .none, partitionLeaderEpoch: Int32 = 0, timestamp: Int64
    ) throws -> [UInt8] {
        guard !records.isEmpty else { throw BasaltError.invalidBatch(reason: "a batch needs at least one record") }
        guard records.count <= Int(Int32.max) else { throw BasaltError.invalidBatch(reason: "too many records") }

        let baseTimestamp = records[0].timestamp ?? timestamp
        var maxTimestamp = Int64.min
        for record in records {
            maxTimestamp = max(maxTimestamp, record.timestamp ?? timestamp)
        }
        var recordsSize = 0
        for (index, record) in records.enumerated() {
            let bodySize = Self.bodySize(record, offsetDelta: index, baseTimestamp: baseTimestamp, timestamp: timestamp)
            recordsSize += Varint.size(of: bodySize) + bodySize
        }

        var header = RecordBatchHeader(
            baseOffset: baseOffset, batchLength: 0, partitionLeaderEpoch: partitionLeaderEpoch,
            attributes: compression.rawValue, lastOffsetDelta: Int32(records.count - 1),
            baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp, producerId: producer.producerId,
            producerEpoch: producer.producerEpoch, baseSequence: producer.baseSequence,
            recordsCount: Int32(records.count))

        if compression == .none {
            let total = RecordBatchHeader.size + recordsSize
            guard total <= Int(Int32.max) else { throw BasaltError.messageTooLarge(bytes: total, limit: Int(Int32.max)) }
            header.batchLength = Int32(total - RecordBatchHeader.logOverhead)
            return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
                let base = UnsafeMutableRawPointer(buffer.baseAddress!)
                let written = writeRecords(records, baseTimestamp: baseTimestamp, timestamp: timestamp,
                                           to: base + RecordBatchHeader.size)
                precondition(written == recordsSize, "record sizing and writing disagree")
                header.write(to: base)
                sealCRC(UnsafeMutableRawBufferPointer(start: base, count: total))
                count = total
            }
        }

        let plain = [UInt8](unsafeUninitializedCapacity: recordsSize) { buffer, count in
            let written = writeRecords(records, baseTimestamp: baseTimestamp, timestamp: timestamp,
                                       to: UnsafeMutableRawPointer(buffer.baseAddress!))
            precondition(written == recordsSize, "record sizing and writing disagree")
            count = recordsSize
        }
        let compressed = try plain.withUnsafeBytes { raw in try compression.compress(raw) }
        let total = RecordBatchHeader.size + compressed.count
        guard total <= Int(Int32.max) else { throw BasaltError.messageTooLarge(bytes: total, limit: Int(Int32.max)) }
        header.batchLength = Int32(total - RecordBatchHeader.logOverhead)
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            header.write(to: base)
            compressed.withUnsafeBytes { source in
                (base + RecordBatchHeader.size).copyMemory(from: source.baseAddress!, byteCount: source.count)
            }
            sealCRC(UnsafeMutableRawBufferPointer(start: base, count: total))
            count = total
        }
    }

    /// Computes and stores the CRC of a complete batch in place.
    static func sealCRC(_ batch: UnsafeMutableRawBufferPointer) {
        let covered = UnsafeRawBufferPointer(rebasing: batch[RecordBatchHeader.attributesPosition...])
        let crc = CRC32C.checksum(covered)
        batch.baseAddress!.storeBigEndian(crc, at: RecordBatchHeader.crcPosition)
    }

    /// Size of a record after its length prefix.
    @inline(__always)
    static func bodySize(_ record: Record, offsetDelta: Int, baseTimestamp: Int64, timestamp: Int64) -> Int {
        var size = 1  // attributes
        size += Varint.size(of: (record.timestamp ?? timestamp) &- baseTimestamp)
        size += Varint.size(of: offsetDelta)
        size += bytesFieldSize(record.key)
        size += bytesFieldSize(record.value)
        size += Varint.size(of: record.headers.count)
        for header in record.headers {
            let keyCount = header.key.utf8.count
            size += Varint.size(of: keyCount) + keyCount
            size += bytesFieldSize(header.value)
        }
        return size
    }

    @inline(__always)
    static func bytesFieldSize(_ bytes: [UInt8]?) -> Int {
        guard let bytes else { return 1 }
        return Varint.size(of: bytes.count) + bytes.count
    }

    /// Writes the records section at `pointer`; returns its size.
    static func writeRecords(
        _ records: [Record], baseTimestamp: Int64, timestamp: Int64, to pointer: UnsafeMutableRawPointer
    ) -> Int {
        var position = 0
        for (index, record) in records.enumerated() {
            let bodySize = bodySize(record, offsetDelta: index, baseTimestamp: baseTimestamp, timestamp: timestamp)
            position += Varint.write(bodySize, to: pointer + position)
            pointer.storeBytes(of: 0, toByteOffset: position, as: UInt8.self)
            position += 1
            position += Varint.write((record.timestamp ?? timestamp) &- baseTimestamp, to: pointer + position)
            position += Varint.write(index, to: pointer + position)
            position += writeBytesField(record.key, to: pointer + position)
            position += writeBytesField(record.value, to: pointer + position)
            position += Varint.write(record.headers.count, to: pointer + position)
            for header in record.headers {
                var key = header.key
                position += key.withUTF8 { utf8 in
                    let prefix = Varint.write(utf8.count, to: pointer + position)
                    if utf8.count > 0 {
                        (pointer + position + prefix).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
                    }
                    return prefix + utf8.count
                }
                position += writeBytesField(header.value, to: pointer + position)
            }
        }
        return position
    }

    @inline(__always)
    static func writeBytesField(_ bytes: [UInt8]?, to pointer: UnsafeMutableRawPointer) -> Int {
        guard let bytes else { return Varint.write(-1, to: pointer) }
        let prefix = Varint.write(bytes.count, to: pointer)
        bytes.withUnsafeBytes { source in
            if source.count > 0 {
                (pointer + prefix).copyMemory(from: source.baseAddress!, byteCount: source.count)
            }
        }
        return prefix + bytes.count
    }
}
