import NIOCore

/// Bounds-checked readers for the Kafka protocol primitive types (kafka-compat.md §3.2).
///
/// Every reader either consumes exactly the bytes of one value and returns it, or throws a
/// ``KafkaProtocolError`` and leaves the reader index unspecified. Lengths and counts read from
/// the input are checked against the readable bytes before anything is allocated or sliced.
extension ByteBuffer {
    @inline(__always)
    mutating func requireKafkaBytes(_ needed: Int) throws(KafkaProtocolError) {
        if readableBytes < needed {
            throw .truncated(needed: needed, available: readableBytes)
        }
    }

    /// Reads a big-endian `int8` (also used for `bool`).
    public mutating func readKafkaInt8() throws(KafkaProtocolError) -> Int8 {
        guard let value = readInteger(as: Int8.self) else {
            throw .truncated(needed: 1, available: readableBytes)
        }
        return value
    }

    /// Reads a Kafka `bool`: one byte, non-zero is `true`.
    public mutating func readKafkaBool() throws(KafkaProtocolError) -> Bool {
        try readKafkaInt8() != 0
    }

    /// Reads a big-endian `int16`.
    public mutating func readKafkaInt16() throws(KafkaProtocolError) -> Int16 {
        guard let value = readInteger(endianness: .big, as: Int16.self) else {
            throw .truncated(needed: 2, available: readableBytes)
        }
        return value
    }

    /// Reads a big-endian `int32`.
    public mutating func readKafkaInt32() throws(KafkaProtocolError) -> Int32 {
        guard let value = readInteger(endianness: .big, as: Int32.self) else {
            throw .truncated(needed: 4, available: readableBytes)
        }
        return value
    }

    /// Reads a big-endian `int64`.
    public mutating func readKafkaInt64() throws(KafkaProtocolError) -> Int64 {
        guard let value = readInteger(endianness: .big, as: Int64.self) else {
            throw .truncated(needed: 8, available: readableBytes)
        }
        return value
    }

    /// Reads a 16-byte `uuid` as two big-endian halves.
    public mutating func readKafkaUUID() throws(KafkaProtocolError) -> KafkaUUID {
        try requireKafkaBytes(16)
        guard let high = readInteger(endianness: .big, as: UInt64.self),
              let low = readInteger(endianness: .big, as: UInt64.self) else {
            throw .truncated(needed: 16, available: readableBytes)
        }
        return KafkaUUID(high: high, low: low)
    }

    /// Reads an unsigned LEB128 varint of at most 5 bytes (a 32-bit value).
    ///
    /// - Throws: ``KafkaProtocolError/malformedVarint`` if the fifth byte still has its
    ///   continuation bit set or sets bits above bit 31.
    public mutating func readKafkaUnsignedVarint() throws(KafkaProtocolError) -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        for index in 0..<5 {
            guard let byte = readInteger(as: UInt8.self) else {
                throw .truncated(needed: 1, available: 0)
            }
            if index == 4 && byte > 0x0F {
                throw .malformedVarint
            }
            value |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                return value
            }
            shift += 7
        }
        throw .malformedVarint
    }

    /// Reads an unsigned LEB128 varlong of at most 10 bytes (a 64-bit value).
    public mutating func readKafkaUnsignedVarlong() throws(KafkaProtocolError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for index in 0..<10 {
            guard let byte = readInteger(as: UInt8.self) else {
                throw .truncated(needed: 1, available: 0)
            }
            if index == 9 && byte > 0x01 {
                throw .malformedVarint
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                return value
            }
            shift += 7
        }
        throw .malformedVarint
    }

    /// Reads a ZigZag-encoded signed varint (record-level `varint`, kafka-compat.md §1.1).
    public mutating func readKafkaVarint() throws(KafkaProtocolError) -> Int32 {
        let raw = try readKafkaUnsignedVarint()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a ZigZag-encoded signed varlong (record-level `varlong`).
    public mutating func readKafkaVarlong() throws(KafkaProtocolError) -> Int64 {
        let raw = try readKafkaUnsignedVarlong()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a length prefix: `int16` (non-compact strings), `int32` (non-compact bytes and
    /// arrays) or uvarint N+1 (compact). Returns `nil` for null, throws for other negative values.
    @inline(__always)
    mutating func readKafkaLength(compact: Bool, wide: Bool) throws(KafkaProtocolError) -> Int? {
        let length: Int64
        if compact {
            length = Int64(try readKafkaUnsignedVarint()) - 1
        } else if wide {
            length = Int64(try readKafkaInt32())
        } else {
            length = Int64(try readKafkaInt16())
        }
        if length == -1 {
            return nil
        }
        if length < 0 || length > Int64(Int32.max) {
            throw .invalidLength(length)
        }
        return Int(length)
    }

    /// Reads a nullable string: `int16` length (−1 = null) or, if `compact`, uvarint length+1
    /// (0 = null), followed by UTF-8 bytes.
    ///
    /// The bytes must be valid UTF-8. Kafka's Java decoder repairs malformed UTF-8 with U+FFFD,
    /// but each replacement is three bytes, so a repaired name can come back three times longer
    /// than it arrived and no longer fit the int16 length when it is echoed in a response.
    /// Rejecting it keeps every decoded string encodable.
    ///
    /// - Throws: ``KafkaProtocolError/invalidLength(_:)`` above 32767 bytes,
    ///   ``KafkaProtocolError/invalidUTF8(byteCount:)`` for malformed UTF-8.
    public mutating func readKafkaNullableString(compact: Bool = false) throws(KafkaProtocolError) -> String? {
        guard let length = try readKafkaLength(compact: compact, wide: false) else {
            return nil
        }
        if length > Int(Int16.max) {
            throw .invalidLength(Int64(length))
        }
        try requireKafkaBytes(length)
        guard let bytes = readSlice(length: length),
              let string = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            throw .invalidUTF8(byteCount: length)
        }
        return string
    }

    /// Reads a non-nullable string (see ``readKafkaNullableString(compact:)``).
    ///
    /// - Throws: ``KafkaProtocolError/unexpectedNull`` if the length marks null.
    public mutating func readKafkaString(compact: Bool = false) throws(KafkaProtocolError) -> String {
        guard let string = try readKafkaNullableString(compact: compact) else {
            throw .unexpectedNull
        }
        return string
    }

    /// Reads nullable bytes (`int32` length or compact uvarint length+1) as a zero-copy slice.
    /// Also used for `records`.
    public mutating func readKafkaNullableBytes(compact: Bool = false) throws(KafkaProtocolError) -> ByteBuffer? {
        guard let length = try readKafkaLength(compact: compact, wide: true) else {
            return nil
        }
        guard let bytes = readSlice(length: length) else {
            throw .truncated(needed: length, available: readableBytes)
        }
        return bytes
    }

    /// Reads non-nullable bytes as a zero-copy slice.
    public mutating func readKafkaBytes(compact: Bool = false) throws(KafkaProtocolError) -> ByteBuffer {
        guard let bytes = try readKafkaNullableBytes(compact: compact) else {
            throw .unexpectedNull
        }
        return bytes
    }

    /// Reads a nullable array: `int32` count (−1 = null) or compact uvarint count+1 (0 = null),
    /// then `count` elements decoded by `readElement`.
    ///
    /// The count is checked against the readable bytes (every element takes at least one byte)
    /// and capacity is reserved only up to a small bound, so a forged count cannot make the
    /// decoder allocate more than the input justifies.
    public mutating func readKafkaNullableArray<Element>(
        compact: Bool = false,
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element]? {
        guard let count = try readKafkaLength(compact: compact, wide: true) else {
            return nil
        }
        if count > readableBytes {
            throw .truncated(needed: count, available: readableBytes)
        }
        var elements: [Element] = []
        elements.reserveCapacity(Swift.min(count, 256))
        for _ in 0..<count {
            elements.append(try readElement(&self))
        }
        return elements
    }

    /// Reads a non-nullable array (see ``readKafkaNullableArray(compact:_:)``).
    public mutating func readKafkaArray<Element>(
        compact: Bool = false,
        _ readElement: (inout ByteBuffer) throws(KafkaProtocolError) -> Element
    ) throws(KafkaProtocolError) -> [Element] {
        guard let elements = try readKafkaNullableArray(compact: compact, readElement) else {
            throw .unexpectedNull
        }
        return elements
    }

    /// Reads a non-nullable `[]int32`.
    public mutating func readKafkaInt32Array(compact: Bool = false) throws(KafkaProtocolError) -> [Int32] {
        try readKafkaArray(compact: compact) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try buffer.readKafkaInt32()
        }
    }

    /// Reads a non-nullable `[]int64`.
    public mutating func readKafkaInt64Array(compact: Bool = false) throws(KafkaProtocolError) -> [Int64] {
        try readKafkaArray(compact: compact) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try buffer.readKafkaInt64()
        }
    }

    /// Reads a non-nullable `[]string`.
    public mutating func readKafkaStringArray(compact: Bool = false) throws(KafkaProtocolError) -> [String] {
        try readKafkaArray(compact: compact) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            try buffer.readKafkaString(compact: compact)
        }
    }

    /// Reads a tagged-field section and discards every field in it.
    ///
    /// None of the tags defined for the supported versions carry information this module keeps,
    /// so all tags are treated as unknown and skipped (each one bounds-checked by its size).
    public mutating func skipKafkaTaggedFields() throws(KafkaProtocolError) {
        let count = try readKafkaUnsignedVarint()
        for _ in 0..<count {
            _ = try readKafkaUnsignedVarint()  // tag
            let size = Int(try readKafkaUnsignedVarint())
            try requireKafkaBytes(size)
            moveReaderIndex(forwardBy: size)
        }
    }
}
