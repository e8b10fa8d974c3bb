import NIOCore

/// Writers for the Kafka protocol primitive types (kafka-compat.md §3.2), the inverse of the
/// readers in `ByteBuffer+KafkaRead.swift`.
///
/// Values that cannot be represented (a string longer than 32767 UTF-8 bytes, bytes or an
/// array longer than `Int32.max`) throw ``KafkaEncodingError``: such values can come from a
/// request (a name echoed in a response, a member id built from a client id), so they are the
/// world's errors, not programmer errors. The buffer may hold a partial value after a throw;
/// callers discard it.
extension ByteBuffer {
    /// Writes an `int8`.
    public mutating func writeKafkaInt8(_ value: Int8) {
        writeInteger(value)
    }

    /// Writes a `bool` as one byte, 1 or 0.
    public mutating func writeKafkaBool(_ value: Bool) {
        writeInteger(value ? 1 : 0, as: Int8.self)
    }

    /// Writes a big-endian `int16`.
    public mutating func writeKafkaInt16(_ value: Int16) {
        writeInteger(value, endianness: .big)
    }

    /// Writes a big-endian `int32`.
    public mutating func writeKafkaInt32(_ value: Int32) {
        writeInteger(value, endianness: .big)
    }

    /// Writes a big-endian `int64`.
    public mutating func writeKafkaInt64(_ value: Int64) {
        writeInteger(value, endianness: .big)
    }

    /// Writes a 16-byte `uuid`.
    public mutating func writeKafkaUUID(_ value: KafkaUUID) {
        writeInteger(value.high, endianness: .big)
        writeInteger(value.low, endianness: .big)
    }

    /// Writes an unsigned LEB128 varint.
    public mutating func writeKafkaUnsignedVarint(_ value: UInt32) {
        var remaining = value
        while remaining >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        writeInteger(UInt8(remaining))
    }

    /// Writes an unsigned LEB128 varlong.
    public mutating func writeKafkaUnsignedVarlong(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        writeInteger(UInt8(remaining))
    }

    /// Writes a ZigZag-encoded signed varint.
    public mutating func writeKafkaVarint(_ value: Int32) {
        writeKafkaUnsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    /// Writes a ZigZag-encoded signed varlong.
    public mutating func writeKafkaVarlong(_ value: Int64) {
        writeKafkaUnsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes a length prefix: `int16` (strings), `int32` (bytes and arrays) or, if `compact`,
    /// uvarint length+1; `nil` writes null (−1, or 0 when compact).
    ///
    /// - Throws: ``KafkaEncodingError/lengthOutOfRange(_:limit:)`` when `length` does not fit
    ///   the prefix: above 32767 for strings, above `Int32.max` for bytes and arrays (compact
    ///   prefixes carry the same limits as their non-compact forms).
    @inline(__always)
    mutating func writeKafkaLength(_ length: Int?, compact: Bool, wide: Bool) throws(KafkaEncodingError) {
        guard let length else {
            if compact {
                writeKafkaUnsignedVarint(0)
            } else if wide {
                writeKafkaInt32(-1)
            } else {
                writeKafkaInt16(-1)
            }
            return
        }
        let limit = wide ? Int(Int32.max) : Int(Int16.max)
        guard length >= 0, length <= limit else {
            throw .lengthOutOfRange(length, limit: limit)
        }
        if compact {
            writeKafkaUnsignedVarint(UInt32(length) + 1)
        } else if wide {
            writeKafkaInt32(Int32(length))
        } else {
            writeKafkaInt16(Int16(length))
        }
    }

    /// Writes a nullable string (`int16` length, or compact uvarint length+1; null as −1 / 0).
    ///
    /// - Throws: ``KafkaEncodingError/lengthOutOfRange(_:limit:)`` for more than 32767 UTF-8 bytes.
    public mutating func writeKafkaNullableString(_ value: String?, compact: Bool = false) throws(KafkaEncodingError) {
        guard let value else {
            try writeKafkaLength(nil, compact: compact, wide: false)
            return
        }
        try writeKafkaLength(value.utf8.count, compact: compact, wide: false)
        writeString(value)
    }

    /// Writes a non-nullable string.
    public mutating func writeKafkaString(_ value: String, compact: Bool = false) throws(KafkaEncodingError) {
        try writeKafkaNullableString(value, compact: compact)
    }

    /// Writes nullable bytes (`int32` length or compact uvarint length+1). Also used for `records`.
    public mutating func writeKafkaNullableBytes(_ value: ByteBuffer?, compact: Bool = false) throws(KafkaEncodingError) {
        guard let value else {
            try writeKafkaLength(nil, compact: compact, wide: true)
            return
        }
        try writeKafkaLength(value.readableBytes, compact: compact, wide: true)
        writeImmutableBuffer(value)
    }

    /// Writes non-nullable bytes.
    public mutating func writeKafkaBytes(_ value: ByteBuffer, compact: Bool = false) throws(KafkaEncodingError) {
        try writeKafkaNullableBytes(value, compact: compact)
    }

    /// Writes a nullable array: the count (−1 / 0 for null) then each element with `writeElement`.
    public mutating func writeKafkaNullableArray<Element>(
        _ elements: [Element]?,
        compact: Bool = false,
        _ writeElement: (inout ByteBuffer, Element) throws(KafkaEncodingError) -> Void
    ) throws(KafkaEncodingError) {
        guard let elements else {
            try writeKafkaLength(nil, compact: compact, wide: true)
            return
        }
        try writeKafkaLength(elements.count, compact: compact, wide: true)
        for element in elements {
            try writeElement(&self, element)
        }
    }

    /// Writes a non-nullable array.
    public mutating func writeKafkaArray<Element>(
        _ elements: [Element],
        compact: Bool = false,
        _ writeElement: (inout ByteBuffer, Element) throws(KafkaEncodingError) -> Void
    ) throws(KafkaEncodingError) {
        try writeKafkaNullableArray(elements, compact: compact, writeElement)
    }

    /// Writes a non-nullable `[]int32`.
    public mutating func writeKafkaInt32Array(_ elements: [Int32], compact: Bool = false) throws(KafkaEncodingError) {
        try writeKafkaArray(elements, compact: compact) { (buffer: inout ByteBuffer, element: Int32) throws(KafkaEncodingError) in
            buffer.writeKafkaInt32(element)
        }
    }

    /// Writes a non-nullable `[]int64`.
    public mutating func writeKafkaInt64Array(_ elements: [Int64], compact: Bool = false) throws(KafkaEncodingError) {
        try writeKafkaArray(elements, compact: compact) { (buffer: inout ByteBuffer, element: Int64) throws(KafkaEncodingError) in
            buffer.writeKafkaInt64(element)
        }
    }

    /// Writes a non-nullable `[]string`.
    public mutating func writeKafkaStringArray(_ elements: [String], compact: Bool = false) throws(KafkaEncodingError) {
        try writeKafkaArray(elements, compact: compact) { (buffer: inout ByteBuffer, element: String) throws(KafkaEncodingError) in
            try buffer.writeKafkaString(element, compact: compact)
        }
    }

    /// Writes an empty tagged-field section (a single `00` byte).
    public mutating func writeKafkaEmptyTaggedFields() {
        writeInteger(UInt8(0))
    }

    /// Fills in the int32 size prefix written at `sizeIndex` with the number of bytes written
    /// after it.
    ///
    /// - Throws: ``KafkaEncodingError/lengthOutOfRange(_:limit:)`` if they exceed `Int32.max`.
    public mutating func setKafkaFrameSize(at sizeIndex: Int) throws(KafkaEncodingError) {
        let size = writerIndex - sizeIndex - 4
        guard size >= 0, size <= Int(Int32.max) else { throw .lengthOutOfRange(size, limit: Int(Int32.max)) }
        setInteger(Int32(size), at: sizeIndex, endianness: .big)
    }
}
