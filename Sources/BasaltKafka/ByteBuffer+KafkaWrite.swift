import NIOCore

/// Writers for the Kafka protocol primitive types (kafka-compat.md §3.2), the inverse of the
/// readers in `ByteBuffer+KafkaRead.swift`.
///
/// Values that cannot be represented (a string longer than 32767 UTF-8 bytes) are programmer
/// errors and stop the process with a precondition failure.
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

    @inline(__always)
    mutating func writeKafkaLength(_ length: Int?, compact: Bool, wide: Bool) {
        if compact {
            writeKafkaUnsignedVarint(length.map { UInt32($0) + 1 } ?? 0)
        } else if wide {
            writeKafkaInt32(length.map { Int32($0) } ?? -1)
        } else {
            writeKafkaInt16(length.map { Int16($0) } ?? -1)
        }
    }

    /// Writes a nullable string (`int16` length, or compact uvarint length+1; null as −1 / 0).
    public mutating func writeKafkaNullableString(_ value: String?, compact: Bool = false) {
        guard let value else {
            writeKafkaLength(nil, compact: compact, wide: false)
            return
        }
        let length = value.utf8.count
        precondition(length <= Int(Int16.max), "Kafka strings are limited to 32767 UTF-8 bytes")
        writeKafkaLength(length, compact: compact, wide: false)
        writeString(value)
    }

    /// Writes a non-nullable string.
    public mutating func writeKafkaString(_ value: String, compact: Bool = false) {
        writeKafkaNullableString(value, compact: compact)
    }

    /// Writes nullable bytes (`int32` length or compact uvarint length+1). Also used for `records`.
    public mutating func writeKafkaNullableBytes(_ value: ByteBuffer?, compact: Bool = false) {
        guard let value else {
            writeKafkaLength(nil, compact: compact, wide: true)
            return
        }
        precondition(value.readableBytes <= Int(Int32.max), "Kafka bytes are limited to Int32.max bytes")
        writeKafkaLength(value.readableBytes, compact: compact, wide: true)
        writeImmutableBuffer(value)
    }

    /// Writes non-nullable bytes.
    public mutating func writeKafkaBytes(_ value: ByteBuffer, compact: Bool = false) {
        writeKafkaNullableBytes(value, compact: compact)
    }

    /// Writes a nullable array: the count (−1 / 0 for null) then each element with `writeElement`.
    public mutating func writeKafkaNullableArray<Element>(
        _ elements: [Element]?,
        compact: Bool = false,
        _ writeElement: (inout ByteBuffer, Element) -> Void
    ) {
        guard let elements else {
            writeKafkaLength(nil, compact: compact, wide: true)
            return
        }
        writeKafkaLength(elements.count, compact: compact, wide: true)
        for element in elements {
            writeElement(&self, element)
        }
    }

    /// Writes a non-nullable array.
    public mutating func writeKafkaArray<Element>(
        _ elements: [Element],
        compact: Bool = false,
        _ writeElement: (inout ByteBuffer, Element) -> Void
    ) {
        writeKafkaNullableArray(elements, compact: compact, writeElement)
    }

    /// Writes a non-nullable `[]int32`.
    public mutating func writeKafkaInt32Array(_ elements: [Int32], compact: Bool = false) {
        writeKafkaArray(elements, compact: compact) { $0.writeKafkaInt32($1) }
    }

    /// Writes a non-nullable `[]string`.
    public mutating func writeKafkaStringArray(_ elements: [String], compact: Bool = false) {
        writeKafkaArray(elements, compact: compact) { $0.writeKafkaString($1, compact: compact) }
    }

    /// Writes an empty tagged-field section (a single `00` byte).
    public mutating func writeKafkaEmptyTaggedFields() {
        writeInteger(UInt8(0))
    }
}
