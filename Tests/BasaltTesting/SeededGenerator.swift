/// A deterministic generator, so failures reproduce (SplitMix64). Shared by every test target
/// that draws seeded random cases.
public struct SeededGenerator: RandomNumberGenerator {
    /// The generator's state; the next value is a function of it alone.
    public var state: UInt64
    /// A generator that starts at `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// `count` random bytes, eight per step: byte-at-a-time `map` is slow in debug builds.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        output.withUnsafeMutableBytes { buffer in
            var position = 0
            while position < count {
                let word = next().littleEndian
                let length = min(8, count - position)
                withUnsafeBytes(of: word) { source in
                    buffer.baseAddress!.advanced(by: position).copyMemory(from: source.baseAddress!, byteCount: length)
                }
                position += length
            }
        }
        return output
    }
}
