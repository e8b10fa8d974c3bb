/// Chooses the partition for a keyed record exactly as Kafka's default partitioner does,
/// so the embedded API and every Kafka client put a key on the same partition.
public enum Partitioner {
    /// `toPositive(murmur2(key)) % partitionCount`, Kafka's rule for keyed records.
    public static func partition(forKey key: [UInt8], partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        return Int32(bitPattern: murmur2(key) & 0x7FFF_FFFF) % partitionCount
    }

    /// Kafka's variant of MurmurHash2 (seed 0x9747b28c), as a 32-bit pattern.
    public static func murmur2(_ data: [UInt8]) -> UInt32 {
        let multiplier: UInt32 = 0x5BD1_E995
        let shift: UInt32 = 24
        let length = data.count
        var hash: UInt32 = 0x9747_B28C ^ UInt32(truncatingIfNeeded: length)
        let whole = length & ~3
        var index = 0
        while index < whole {
            var k = UInt32(data[index]) | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2]) << 16
                | UInt32(data[index + 3]) << 24
            k = k &* multiplier
            k ^= k >> shift
            k = k &* multiplier
            hash = hash &* multiplier
            hash ^= k
            index += 4
        }
        let tail = length & 3
        if tail == 3 { hash ^= UInt32(data[whole + 2]) << 16 }
        if tail >= 2 { hash ^= UInt32(data[whole + 1]) << 8 }
        if tail >= 1 {
            hash ^= UInt32(data[whole])
            hash = hash &* multiplier
        }
        hash ^= hash >> 13
        hash = hash &* multiplier
        hash ^= hash >> 15
        return hash
    }
}
