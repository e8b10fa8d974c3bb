import Basalt
import Foundation
import Testing
@testable import BasaltInspect

/// `basalt-inspect verify` on a compacted topic: batches with fewer records than offsets,
/// empty batches (producers' last ones, segment ends, the runs the cleaner removed) and the
/// cleaner's checkpoint file are all a healthy store, checked deep (every record decoded).
@Suite struct VerifyCompactedTests {
    @Test func compactedStoreVerifiesClean() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("store")
        var config = LogConfig()
        config.segmentBytes = 1024
        config.durability = .os
        config.cleanupPolicy = .compact
        config.minCleanableDirtyRatio = 0
        let store = try Store(directory: path, retentionCheckInterval: nil, cleanerInterval: nil)
        let topic = try store.createTopic("c", config: config)
        for round in 0..<200 {
            let value: [UInt8]? = round % 13 == 12 ? nil : Array("value \(round)".utf8)
            try await topic.partition(0).append(
                [Record(key: Array("k\(round % 7)".utf8), value: value),
                 Record(key: Array("j\(round % 3)".utf8), value: [UInt8(round % 256)])],
                compression: round % 2 == 0 ? .lz4 : .none,
                producer: .init(producerId: 5, producerEpoch: 0, baseSequence: Int32(round * 2)))
        }
        try topic.partition(0).roll()
        let cleaned = try store.runCleaner(force: true)
        #expect(cleaned.count == 1)
        #expect(cleaned.first?.stats.recordsRemoved ?? 0 > 300)
        try store.close()

        let outcome = try Verify(path: path, deep: true).check()
        #expect(outcome.problems.isEmpty, "\(outcome.problems.map(\.text))")
        #expect(outcome.exitStatus == .clean)
        let result = try InspectProcess.run(["verify", "--deep", path])
        #expect(result.status == 0, "\(result.output)\(result.error)")
    }
}
