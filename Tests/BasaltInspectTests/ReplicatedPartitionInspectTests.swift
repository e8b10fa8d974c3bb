import Basalt
import Testing
@testable import BasaltInspect

/// `basalt-inspect` on a partition a cluster-mode broker wrote: the `high-watermark`
/// checkpoint beside the segments is Basalt's own file, not a stray one (which `repair`
/// would move to quarantine), and the files Basalt shares with Kafka (the leader epoch and
/// cleaner checkpoints, producer snapshots) do not make `repair` take it for Kafka's.
@Suite struct ReplicatedPartitionInspectTests {
    @Test func aReplicatedPartitionVerifiesClean() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        let log = try PartitionLog(directory: path, config: LogConfig())
        log.enableReplication()
        try log.becomeLeader(epoch: 3)
        try await log.append([Record(key: [1], value: [1]), Record(key: [2], value: [2])])
        log.updateHighWatermark(2)
        try log.close()
        #expect(FileBytes.read(path + "/" + PartitionLog.highWatermarkFileName).count > 0)

        let outcome = try Verify(path: path).check()
        #expect(outcome.problems.isEmpty, "\(outcome.problems.map(\.text))")
        #expect(outcome.exitStatus == .clean)
        let result = try InspectProcess.run(["verify", path])
        #expect(result.status == 0, "\(result.output)\(result.error)")
    }

    @Test func repairTakesAReplicatedCompactedPartitionForBasalts() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        var config = LogConfig()
        config.cleanupPolicy = .compact
        config.minCleanableDirtyRatio = 0
        let log = try PartitionLog(directory: path, config: config)
        log.enableReplication()
        try log.becomeLeader(epoch: 1)
        for round in 0..<6 {
            try await log.append([Record(key: [UInt8(round % 2)], value: [UInt8(round)])])
        }
        log.updateHighWatermark(6)
        try log.roll()
        try LogCleaner().clean(log, force: true)
        try log.close()
        for name in [PartitionLog.cleanerCheckpointFileName, LeaderEpochCache.fileName, PartitionLog.highWatermarkFileName] {
            #expect(FileBytes.exists(path + "/" + name), "\(name)")
        }

        let console = Console.capturing()
        #expect(Repair(path: path).run(on: console) == .clean, "\(console.capturedOutput)\(console.capturedError)")
        #expect(!console.capturedError.contains("Apache Kafka"))
    }
}
