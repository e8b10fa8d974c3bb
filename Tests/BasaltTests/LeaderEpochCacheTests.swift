import Testing
@testable import Basalt
import BasaltTesting

@Suite struct LeaderEpochCacheTests {
    static func cache(_ entries: [(Int32, Int64)]) -> LeaderEpochCache {
        var cache = LeaderEpochCache()
        for (epoch, start) in entries {
            let assigned = cache.assign(epoch: epoch, startOffset: start)
            #expect(assigned)
        }
        return cache
    }

    @Test func assignIgnoresEpochsThatDoNotIncrease() {
        var cache = Self.cache([(0, 0), (3, 10)])
        let changed1 = cache.assign(epoch: 3, startOffset: 20)
        #expect(!changed1)
        let changed2 = cache.assign(epoch: 2, startOffset: 30)
        #expect(!changed2)
        let changed3 = cache.assign(epoch: 5, startOffset: 5)
        #expect(!changed3)
        let changed4 = cache.assign(epoch: -1, startOffset: 40)
        #expect(!changed4)
        #expect(cache.entries == [.init(epoch: 0, startOffset: 0), .init(epoch: 3, startOffset: 10)])
        #expect(cache.latestEpoch == 3)
        let changed5 = cache.assign(epoch: 4, startOffset: 10)
        #expect(changed5)
        #expect(cache.latestEpoch == 4)
    }

    /// The answers OffsetForLeaderEpoch gives, as Kafka's LeaderEpochFileCache.endOffsetFor.
    @Test func endOffsetForEpoch() {
        let cache = Self.cache([(2, 5), (4, 20), (7, 50)])
        #expect(cache.endOffset(for: 7, logEndOffset: 80) == (7, 80))
        #expect(cache.endOffset(for: 4, logEndOffset: 80) == (4, 50))
        #expect(cache.endOffset(for: 5, logEndOffset: 80) == (4, 50))
        #expect(cache.endOffset(for: 2, logEndOffset: 80) == (2, 20))
        #expect(cache.endOffset(for: 1, logEndOffset: 80) == (1, 5))
        #expect(cache.endOffset(for: 8, logEndOffset: 80) == (-1, -1))
        #expect(cache.endOffset(for: -1, logEndOffset: 80) == (-1, -1))
        #expect(LeaderEpochCache().endOffset(for: 0, logEndOffset: 80) == (-1, -1))
    }

    @Test func truncateFromEndAndStart() {
        var cache = Self.cache([(2, 5), (4, 20), (7, 50)])
        let changed6 = cache.truncateFromEnd(51)
        #expect(!changed6)
        let changed7 = cache.truncateFromEnd(50)
        #expect(changed7)
        #expect(cache.entries.map(\.epoch) == [2, 4])
        let changed8 = cache.truncateFromStart(5)
        #expect(!changed8)
        let changed9 = cache.truncateFromStart(25)
        #expect(changed9)
        #expect(cache.entries == [.init(epoch: 4, startOffset: 25)])
        var other = Self.cache([(2, 5), (4, 20)])
        let changed10 = other.truncateFromStart(20)
        #expect(changed10)
        #expect(other.entries == [.init(epoch: 4, startOffset: 20)])
        let changed11 = other.truncateFromEnd(0)
        #expect(changed11)
        #expect(other.entries.isEmpty)
    }

    @Test func checkpointTextIsKafkas() throws {
        let cache = Self.cache([(0, 0), (3, 5120)])
        #expect(String(decoding: cache.checkpointBytes, as: UTF8.self) == "0\n2\n0 0\n3 5120\n")
        #expect(try LeaderEpochCache(checkpointBytes: cache.checkpointBytes, file: "f") == cache)
        #expect(try LeaderEpochCache(checkpointBytes: Array("0\n0\n".utf8), file: "f") == LeaderEpochCache())
    }

    /// Every damaged file is a typed error that names the file and line.
    @Test func damagedCheckpointsAreTypedErrors() {
        let cases: [(String, Int)] = [
            ("", 0), ("0\n1\n0 0", 0), ("1\n0\n", 1), ("0\n", 2), ("x\n0\n", 1), ("0\n-1\n", 2),
            ("0\n2\n0 0\n", 2), ("0\n1\n0 0\n1 1\n", 2), ("0\n1\n0  0\n", 3), ("0\n1\n0 0 0\n", 3),
            ("0\n1\n+1 0\n", 3), ("0\n1\n2147483648 0\n", 3), ("0\n1\n-2 0\n", 3), ("0\n1\n0 -5\n", 3),
            ("0\n1\n0 99999999999999999999\n", 3), ("0\n2\n3 0\n2 5\n", 4), ("0\n2\n1 9\n2 5\n", 4),
            ("0\n1\n\n", 3), ("0\n\n", 2), ("0\n1\n1 1\n\n", 2),
        ]
        for (text, line) in cases {
            #expect(throws: ReplicationError.self, "\(text.debugDescription)") {
                try LeaderEpochCache(checkpointBytes: Array(text.utf8), file: "p/leader-epoch-checkpoint")
            }
            do {
                _ = try LeaderEpochCache(checkpointBytes: Array(text.utf8), file: "p/leader-epoch-checkpoint")
            } catch let ReplicationError.corruptCheckpoint(file, foundLine, _) {
                #expect(file == "p/leader-epoch-checkpoint")
                #expect(foundLine == line, "\(text.debugDescription)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    /// Random bytes, mostly from the format's own alphabet, parse or throw; never trap.
    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 9)
        let alphabet = Array("0123456789 -\n".utf8) + [0, 0xFF, UInt8(ascii: "+")]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<40, using: &generator)
            var bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            if Bool.random(using: &generator) { bytes = Array("0\n".utf8) + bytes }
            do {
                let cache = try LeaderEpochCache(checkpointBytes: bytes, file: "f")
                #expect(try LeaderEpochCache(checkpointBytes: cache.checkpointBytes, file: "f") == cache)
            } catch is ReplicationError {
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
