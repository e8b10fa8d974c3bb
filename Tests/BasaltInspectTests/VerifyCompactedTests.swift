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

    /// A committed swap left by a crash is reported, and repair refuses to move it aside
    /// (the segments it replaces may be gone already); a `.cleaned` file is only a leftover.
    @Test func anInterruptedSwapIsLeftToTheStore() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("store")
        try await Fixture.writeStore(path)
        let partition = path + "/t-0"
        let log = Fixture.logs(partition)[0]
        FileBytes.write(log + ".cleaned", FileBytes.read(log))
        var outcome = try Verify(path: path).check()
        #expect(outcome.problems.map(\.kind) == [.leftoverFile])
        _ = try RepairPlan.make(for: partition, config: LogConfig())
        FileBytes.write(log + ".swap", FileBytes.read(log))
        outcome = try Verify(path: path).check()
        #expect(outcome.problems.map(\.kind) == [.leftoverFile, .leftoverFile])
        #expect(throws: InspectError.self) { _ = try RepairPlan.make(for: partition, config: LogConfig()) }
    }
}
