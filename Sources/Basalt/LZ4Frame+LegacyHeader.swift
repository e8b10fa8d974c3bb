extension LZ4Frame {
    /// Rewrites the header checksum of an LZ4 frame from a magic 0 message so liblz4 accepts
    /// it.
    ///
    /// Kafka 0.8–0.9 clients computed the frame descriptor's checksum byte over the 4-byte
    /// frame magic as well as the descriptor, so the byte is wrong by the LZ4 specification;
    /// Kafka's reader ignores it for magic 0 (KafkaLZ4BlockInputStream), and so does this:
    /// the byte is replaced by the right checksum, `(xxh32(descriptor, seed 0) >> 8) & 0xFF`.
    /// Bytes that are not an LZ4 frame are left alone for the decoder to reject.
    static func repairLegacyHeaderChecksum(_ frame: inout [UInt8]) {
        // magic (4) FLG (1) BD (1) [content size (8)] [dictionary id (4)] HC (1)
        guard frame.count >= 7, frame[0] == 0x04, frame[1] == 0x22, frame[2] == 0x4D, frame[3] == 0x18 else { return }
        let flags = frame[4]
        let descriptorEnd = 6 + (flags & 0x08 != 0 ? 8 : 0) + (flags & 0x01 != 0 ? 4 : 0)
        guard frame.count > descriptorEnd else { return }
        let hash = frame.withUnsafeBytes { raw in XXHash32.hash(UnsafeRawBufferPointer(rebasing: raw[4..<descriptorEnd])) }
        frame[descriptorEnd] = UInt8(truncatingIfNeeded: hash >> 8)
    }
}

/// xxHash32 with seed 0, as the LZ4 frame format uses it for its header checksum (liblz4
/// does not export its copy).
enum XXHash32 {
    private static let prime1: UInt32 = 2_654_435_761
    private static let prime2: UInt32 = 2_246_822_519
    private static let prime3: UInt32 = 3_266_489_917
    private static let prime4: UInt32 = 668_265_263
    private static let prime5: UInt32 = 374_761_393

    static func hash(_ input: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        func lane(_ position: Int) -> UInt32 {
            UInt32(input[position]) | UInt32(input[position + 1]) << 8 | UInt32(input[position + 2]) << 16
                | UInt32(input[position + 3]) << 24
        }
        func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value << count | value >> (32 - count) }
        func round(_ accumulator: UInt32, _ value: UInt32) -> UInt32 {
            rotate(accumulator &+ value &* prime2, 13) &* prime1
        }
        var position = 0
        var hash: UInt32
        if input.count >= 16 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while position + 16 <= input.count {
                v1 = round(v1, lane(position))
                v2 = round(v2, lane(position + 4))
                v3 = round(v3, lane(position + 8))
                v4 = round(v4, lane(position + 12))
                position += 16
            }
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
        } else {
            hash = seed &+ prime5
        }
        hash = hash &+ UInt32(truncatingIfNeeded: input.count)
        while position + 4 <= input.count {
            hash = rotate(hash &+ lane(position) &* prime3, 17) &* prime4
            position += 4
        }
        while position < input.count {
            hash = rotate(hash &+ UInt32(input[position]) &* prime5, 11) &* prime1
            position += 1
        }
        hash ^= hash >> 15
        hash = hash &* prime2
        hash ^= hash >> 13
        hash = hash &* prime3
        hash ^= hash >> 16
        return hash
    }
}
