/// SplitMix64: a seeded, deterministic generator, so every run benchmarks the same bytes.
///
/// `SystemRandomNumberGenerator` makes a `getrandom` call per value and differs per run;
/// benchmark data must be neither slow to make nor different between runs.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence depends only on `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` uniformly random bytes: incompressible data for checksums.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        output.withUnsafeMutableBytes { raw in
            var position = 0
            while position + 8 <= count {
                raw.storeBytes(of: next(), toByteOffset: position, as: UInt64.self)
                position += 8
            }
            var tail = next()
            while position < count {
                raw[position] = UInt8(truncatingIfNeeded: tail)
                tail >>= 8
                position += 1
            }
        }
        return output
    }
}
