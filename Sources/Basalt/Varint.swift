/// Kafka's zigzag varints, as used inside record batches.
///
/// Writers take a raw pointer and return the bytes written: callers size their buffer
/// first with ``size(of:)-(Int32)``, so the hot encode loop has no bounds or
/// uniqueness checks. Readers check every byte against the end of the input.
enum Varint {
    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    @inline(__always)
    static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    /// Encoded length of a zigzag varint or varlong holding `value`.
    @inline(__always)
    static func size(of value: Int64) -> Int {
        let bits = 64 - zigzag(value).leadingZeroBitCount
        return bits == 0 ? 1 : (bits + 6) / 7
    }

    @inline(__always)
    static func size(of value: Int) -> Int { size(of: Int64(value)) }

    /// Writes `value` zigzag-encoded at `pointer`; returns the bytes written.
    @inline(__always)
    static func write(_ value: Int64, to pointer: UnsafeMutableRawPointer) -> Int {
        var rest = zigzag(value)
        if rest < 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: rest), as: UInt8.self)
            return 1
        }
        var count = 0
        while rest >= 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: rest) | 0x80, toByteOffset: count, as: UInt8.self)
            rest >>= 7
            count += 1
        }
        pointer.storeBytes(of: UInt8(truncatingIfNeeded: rest), toByteOffset: count, as: UInt8.self)
        return count + 1
    }

    @inline(__always)
    static func write(_ value: Int, to pointer: UnsafeMutableRawPointer) -> Int { write(Int64(value), to: pointer) }

    /// Reads a zigzag varlong at `position`, advancing it. Returns nil when the input
    /// ends first or the encoding runs past 10 bytes.
    @inline(__always)
    static func read(_ bytes: UnsafeRawBufferPointer, _ position: inout Int) -> Int64? {
        if position < bytes.count {
            let first = bytes[position]
            if first < 0x80 {
                position += 1
                return unzigzag(UInt64(first))
            }
            // Two bytes (64...8191): the usual record and value lengths.
            if position + 1 < bytes.count {
                let second = bytes[position + 1]
                if second < 0x80 {
                    position += 2
                    return unzigzag(UInt64(first & 0x7F) | UInt64(second) << 7)
                }
            }
        }
        return readSlow(bytes, &position)
    }

    @inline(never)
    static func readSlow(_ bytes: UnsafeRawBufferPointer, _ position: inout Int) -> Int64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = position
        while index < bytes.count, shift < 70 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                position = index
                return unzigzag(result)
            }
            shift += 7
        }
        return nil
    }

    /// Reads a zigzag varint that must fit 32 bits.
    @inline(__always)
    static func read32(_ bytes: UnsafeRawBufferPointer, _ position: inout Int) -> Int? {
        guard let value = read(bytes, &position), value >= Int64(Int32.min), value <= Int64(Int32.max) else { return nil }
        return Int(value)
    }
}
