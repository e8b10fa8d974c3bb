import NIOCore
import BasaltKafka

/// Random protocol values built on ``SplitMix64``.
struct Gen {
    var rng: SplitMix64

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func i8() -> Int8 { Int8.random(in: .min ... .max, using: &rng) }
    mutating func i16() -> Int16 { Int16.random(in: .min ... .max, using: &rng) }
    mutating func i32() -> Int32 { Int32.random(in: .min ... .max, using: &rng) }
    mutating func i64() -> Int64 { Int64.random(in: .min ... .max, using: &rng) }
    mutating func error() -> KafkaErrorCode { KafkaErrorCode(rawValue: Int16(int(-1...90))) }

    /// A string mixing ASCII and multi-byte UTF-8.
    mutating func str() -> String {
        let alphabet: [Character] = ["a", "b", "Z", "0", "-", ".", "_", "é", "日", "🙂"]
        let length = int(0...12)
        var result = ""
        for _ in 0..<length {
            result.append(alphabet[int(0...(alphabet.count - 1))])
        }
        return result
    }

    mutating func nstr() -> String? { int(0...3) == 0 ? nil : str() }

    mutating func bytes() -> ByteBuffer {
        let length = int(0...40)
        var buffer = ByteBuffer()
        for _ in 0..<length {
            buffer.writeInteger(UInt8.random(in: 0 ... .max, using: &rng))
        }
        return buffer
    }

    mutating func nbytes() -> ByteBuffer? { int(0...3) == 0 ? nil : bytes() }

    mutating func array<T>(_ make: (inout Gen) -> T) -> [T] {
        let count = int(0...3)
        var result: [T] = []
        for _ in 0..<count {
            result.append(make(&self))
        }
        return result
    }

    mutating func narray<T>(_ make: (inout Gen) -> T) -> [T]? { int(0...3) == 0 ? nil : array(make) }

    mutating func i32s() -> [Int32] { array { $0.i32() } }
    mutating func strs() -> [String] { array { $0.str() } }
}
