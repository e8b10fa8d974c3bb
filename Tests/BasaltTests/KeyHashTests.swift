import Testing
@testable import Basalt

/// `KeyHash` is MurmurHash3 x64/128 with seed 0: vectors from the reference
/// implementation (Python `mmh3.hash128(data, 0, True)`: h1 is the low 64 bits), covering
/// no block, a tail of 5, one block with a tail of 11, and one block with a tail of 15.
@Suite struct KeyHashTests {
    @Test(arguments: [
        ([UInt8](), UInt64(0), UInt64(0)),
        (Array("hello".utf8), 0xcbd8_a7b3_41bd_9b02, 0x5b1e_906a_48ae_1d19),
        (Array("The quick brown fox jumps over the lazy dog".utf8), 0xe34b_bc7b_bc07_1b6c, 0x7a43_3ca9_c49a_9347),
        ((0..<31).map { UInt8($0) }, 0x053d_d3e1_a32c_d094, 0x9ee5_9aef_b400_5490),
    ])
    func matchesTheReference(input: [UInt8], h1: UInt64, h2: UInt64) {
        let hash = input.withUnsafeBytes { KeyHash($0) }
        #expect(hash == KeyHash(high: h1, low: h2))
    }

    @Test func offsetMapKeepsTheLatestOffsetAndFillsAtItsCapacity() {
        let map = OffsetMap(memoryBytes: OffsetMap.minimumBytes)
        #expect(map.capacity == 57)
        func hash(_ number: Int) -> KeyHash { Array("key-\(number)".utf8).withUnsafeBytes { KeyHash($0) } }
        for number in 0..<57 { map.put(hash(number), offset: Int64(number)) }
        #expect(map.isFull)
        map.put(hash(3), offset: 100)
        #expect(map.get(hash(3)) == 100)
        #expect(map.get(hash(56)) == 56)
        #expect(map.get(hash(57)) == nil)
        #expect(map.latestOffset == 100)
        map.clear()
        #expect(!map.isFull && map.get(hash(3)) == nil)
    }
}
