import Basalt
import Testing
@testable import BasaltInspect

/// `basalt-inspect verify` on a partition a cluster-mode broker wrote: the `high-watermark`
/// checkpoint beside the segments is Basalt's own file, not a stray one (which `repair`
/// would move to quarantine).
@Suite struct VerifyReplicatedTests {
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
}
