import Basalt
import Foundation
import Glibc
import Testing
@testable import BasaltInspect

@Suite struct RepairTests {
    @Test(arguments: Corruption.recoverable)
    func applyLeavesADirectoryThatVerifiesCleanAndOpens(_ corruption: Corruption) async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        let spare = directory.child("spare")
        FileBytes.makeDirectory(spare)
        try await Fixture.writeStore(store)
        let partition = store + "/t-0"
        try corruption.apply(store: store, spare: spare)
        let dataBefore = Fixture.dataBytes(partition)
        #expect(try Verify(path: partition, deep: corruption.needsDeep).check().problemCount > 0)

        // The dry run changes nothing.
        let listing = FileBytes.entries(partition).map { "\($0) \(FileBytes.size(partition + "/" + $0))" }
        let dryRun = try InspectProcess.run(["repair", partition])
        #expect(dryRun.status == 1, "\(dryRun.output)\(dryRun.error)")
        #expect(dryRun.output.contains("dry run, nothing is changed"))
        #expect(FileBytes.entries(partition).map { "\($0) \(FileBytes.size(partition + "/" + $0))" } == listing)

        let applied = try InspectProcess.run(["repair", partition, "--apply"])
        #expect(applied.status == 0, "\(applied.output)\(applied.error)")
        #expect(applied.output.contains("verifies clean"))

        let after = try Verify(path: store, deep: true).check()
        #expect(after.problems.isEmpty, "\(after.problems.map(\.text))")
        let rerun = try InspectProcess.run(["verify", "--deep", partition])
        #expect(rerun.status == 0, "\(rerun.output)")
        // Nothing was deleted: every byte of every .log is in the partition or in quarantine.
        #expect(Fixture.dataBytes(partition) == dataBefore)

        let log = try PartitionLog(directory: partition, config: Fixture.config())
        let start = log.logStartOffset
        let end = log.logEndOffset
        var offset = start
        while offset < end {
            let records = try log.readRecords(from: offset, maxBytes: 1 << 20)
            let first = try #require(records.first)
            for record in records {
                #expect(record.offset == offset)
                #expect(record.key.map(Array.init) == Fixture.record(Int(offset)).key)
                offset += 1
            }
            _ = first
        }
        try log.close()
        let reopened = try Store(directory: store, retentionCheckInterval: nil)
        try reopened.close()
    }

    @Test func tornTailIsCutAndKeptInQuarantine() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        let end = try await Fixture.writePartition(partition)
        let log = Fixture.logs(partition).last!
        let last = try Fixture.batches(log).last!
        FileBytes.truncate(log, to: last.position + 20)
        let repair = Repair(path: partition, apply: true)
        let plan = try repair.makePlan()
        #expect(plan.actions.first == .truncate(path: log, position: last.position, cutBytes: 20, reason: "torn tail (truncated-batch)"))
        let console = Console.capturing()
        #expect(repair.run(on: console) == .clean, "\(console.capturedOutput)\(console.capturedError)")
        #expect(FileBytes.size(log) == last.position)
        let quarantine = try #require(FileBytes.entries(partition).first { $0.hasPrefix("quarantine-") })
        let tail = partition + "/" + quarantine + "/" + FileSystem.baseName(log) + ".tail-from-\(last.position)"
        #expect(FileBytes.size(tail) == 20)
        let reopened = try PartitionLog(directory: partition, config: Fixture.config())
        #expect(reopened.logEndOffset == end - 3)
        try reopened.close()
    }

    @Test func damageInTheMiddleMovesLaterSegmentsAside() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition)
        let logs = Fixture.logs(partition)
        let batch = try Fixture.batches(logs[0])[4]
        FileBytes.overwrite(logs[0], at: batch.position + 90, with: [0xEE])
        let plan = try Repair(path: partition).makePlan()
        let texts = plan.actions.map(\.text)
        #expect(texts[0].hasPrefix("cut \(FileSystem.baseName(logs[0])) at byte \(batch.position)"))
        #expect(texts[0].contains("valid batches after it are kept in quarantine"))
        for later in logs.dropFirst() {
            #expect(texts.contains { $0.hasPrefix("move \(FileSystem.baseName(later)) to quarantine: follows the damage") })
        }
        #expect(plan.actions.last == .rebuildIndexes(fromOffset: 0, reason: "so the indexes and checkpoint match the log"))
    }

    @Test func invalidRecordsCutTheLogAndKeepWhatFollowsIntact() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition)
        let logs = Fixture.logs(partition)
        #expect(logs.count >= 3)
        let batches = try Fixture.batches(logs[0])
        let batch = batches[4]
        // The first record's length varint, made longer than the record; the CRC still matches.
        try Fixture.rewriteBatch(logs[0], at: batch.position) { $0[61] = $0[61] &+ 2 }
        let damaged = logs.map { FileBytes.read($0) }
        #expect(try Verify(path: partition).check().problemCount == 0, "the CRC matches: only --deep sees it")
        let found = try Verify(path: partition, deep: true).check()
        let problem = try #require(found.problems.first { $0.kind == .invalidRecords })
        #expect(problem.position == batch.position)
        #expect(problem.message.contains("repair cuts the log here"), "\(problem.message)")

        let plan = try Repair(path: partition).makePlan()
        #expect(plan.unaddressed.isEmpty)
        let cut = Int64(damaged[0].count) - batch.position
        let after = batches.count - 5
        #expect(plan.actions.first == .truncate(
            path: logs[0], position: batch.position, cutBytes: cut,
            reason: "invalid-records: the batch's CRC matches but its records do not decode; it and the \(after) valid batches after it are kept in quarantine"))
        #expect(plan.logEndOffset == batch.header.baseOffset)

        let console = Console.capturing()
        #expect(Repair(path: partition, apply: true).run(on: console) == .clean, "\(console.capturedOutput)\(console.capturedError)")
        let outcome = try Verify(path: partition, deep: true).check()
        #expect(outcome.problems.isEmpty, "\(outcome.problems.map(\.text))")

        // What was cut is in quarantine byte for byte: the tail of the first segment and
        // every later segment whole.
        let quarantine = partition + "/" + (try #require(FileBytes.entries(partition).first { $0.hasPrefix("quarantine-") }))
        let tail = quarantine + "/" + FileSystem.baseName(logs[0]) + ".tail-from-\(batch.position)"
        #expect(FileBytes.read(tail) == Array(damaged[0][Int(batch.position)...]))
        #expect(FileBytes.read(logs[0]) == Array(damaged[0][..<Int(batch.position)]))
        for (index, later) in logs.enumerated().dropFirst() {
            #expect(FileBytes.read(quarantine + "/" + FileSystem.baseName(later)) == damaged[index])
            #expect(!FileBytes.exists(later))
        }

        let log = try PartitionLog(directory: partition, config: Fixture.config())
        #expect(log.logEndOffset == batch.header.baseOffset)
        var offset: Int64 = 0
        while offset < log.logEndOffset {
            let records = try log.readRecords(from: offset, maxBytes: 1 << 20)
            try #require(!records.isEmpty)
            for record in records {
                #expect(record.offset == offset)
                #expect(record.key.map(Array.init) == Fixture.record(Int(offset)).key)
                offset += 1
            }
        }
        try log.close()
    }

    @Test func refusesWhileTheStoreIsOpen() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        let open = try Store(directory: store, retentionCheckInterval: nil)
        let result = try InspectProcess.run(["repair", store + "/t-0", "--apply"])
        #expect(result.status == 2)
        #expect(result.error == "basalt-inspect: \(store): the store is locked by a running process (pid \(getpid())); stop it first\n")
        try open.close()
        let after = try InspectProcess.run(["repair", store + "/t-0"])
        #expect(after.status == 0)
        #expect(after.output == "nothing to repair in \(store)/t-0: verify finds no problems\n")
    }

    @Test func refusesKafkaDirectoriesUnlessAllowed() throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("orders-0")
        FileBytes.makeDirectory(partition)
        FileBytes.write(partition + "/" + SegmentFileName.name(0, "log"), try KafkaBatches.mixedCodecs())
        FileBytes.write(partition + "/leader-epoch-checkpoint", text: "0\n0\n")
        let console = Console.capturing()
        #expect(Repair(path: partition).run(on: console) == .failure)
        #expect(console.capturedError.contains("written by Apache Kafka (found leader-epoch-checkpoint)"))
        let allowed = Console.capturing()
        #expect(Repair(path: partition, apply: true, allowKafka: true).run(on: allowed) == .clean, "\(allowed.capturedOutput)\(allowed.capturedError)")
        #expect(FileBytes.exists(partition + "/leader-epoch-checkpoint"))
    }
}
