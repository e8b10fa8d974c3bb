import Basalt
import Glibc
import Testing
@testable import BasaltInspect

/// `repair STORE`: every partition, and the store's own files.
@Suite struct StoreRepairTests {
    @Test(arguments: Corruption.recoverableInStore)
    func applyLeavesAStoreThatVerifiesCleanAndOpens(_ corruption: Corruption) async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        let spare = directory.child("spare")
        FileBytes.makeDirectory(spare)
        try await Fixture.writeStore(store)
        try corruption.apply(store: store, spare: spare)
        #expect(try Verify(path: store, deep: true).check().problemCount > 0)
        let dataBefore = Fixture.dataBytes(store)

        let listing = FileBytes.tree(store)
        let dryRun = try InspectProcess.run(["repair", store])
        #expect(dryRun.status == 1, "\(dryRun.output)\(dryRun.error)")
        #expect(dryRun.output.contains("dry run, nothing is changed"))
        #expect(FileBytes.tree(store) == listing)

        let applied = try InspectProcess.run(["repair", store, "--apply"])
        #expect(applied.status == 0, "\(applied.output)\(applied.error)")
        #expect(applied.output.contains("done: \(store) verifies clean"), "\(applied.output)")
        let after = try Verify(path: store, deep: true).check()
        #expect(after.problems.isEmpty, "\(after.problems.map(\.text))")
        // Nothing was deleted: every byte of every .log is in the store or a quarantine.
        #expect(Fixture.dataBytes(store) == dataBefore)

        let opened = try Store(directory: store, retentionCheckInterval: nil)
        #expect(opened.topicNames == [Fixture.topic])
        let topic = try opened.topic(Fixture.topic)
        #expect(topic.partitionCount == 2)
        for log in topic.partitions where log.logEndOffset > log.logStartOffset {
            let records = try log.readRecords(from: log.logStartOffset, maxBytes: 1 << 20)
            #expect(records.first?.offset == log.logStartOffset)
        }
        for group in opened.cursors.groupNames {
            for (topicPartition, committed) in opened.cursors.committedOffsets(group: group) {
                #expect(committed.offset <= (try topic.partition(topicPartition.partition).logEndOffset))
            }
        }
        try opened.close()
    }

    @Test func unreadableTopicFileIsWrittenAnewFromThePartitionsOnDisk() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        let file = store + "/topics/t.json"
        FileBytes.write(file, text: "{not json")

        let plan = try Repair(path: store).makeStorePlan()
        #expect(plan.actions == [
            .moveAside(path: file, reason: "bad-topic-file: written anew from the partition directories on disk"),
            .writeTopicDescription(path: file, topic: "t", partitions: 2,
                                   reason: "partition directories t-0 … t-1 found on disk; the old settings could not be read"),
        ])
        #expect(plan.partitions.allSatisfy { $0.isEmpty })
        let dryRun = Console.capturing()
        #expect(Repair(path: store).run(on: dryRun) == .problemsFound)
        #expect(dryRun.capturedOutput.contains("2. write topics/t.json anew: topic t with 2 partitions and the default settings"),
                "\(dryRun.capturedOutput)")

        let console = Console.capturing()
        #expect(Repair(path: store, apply: true).run(on: console) == .clean, "\(console.capturedOutput)\(console.capturedError)")
        let quarantine = store + "/" + (try #require(FileBytes.entries(store).first { $0.hasPrefix("quarantine-") }))
        #expect(FileBytes.read(quarantine + "/topics/t.json") == Array("{not json".utf8))
        let described = try #require(try Store.topicDescriptions(directory: store).items.first)
        #expect(described.name == "t")
        #expect(described.partitions == 2)
        #expect(described.config == LogConfig())

        let opened = try Store(directory: store, retentionCheckInterval: nil)
        #expect(try opened.topic("t").partition(0).logEndOffset == 120)
        #expect(try opened.topic("t").partition(1).logEndOffset == 5)
        try opened.close()
    }

    @Test func topicWhosePartitionsHaveAGapGoesToQuarantineWhole() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        FileBytes.move(store + "/t-1", store + "/t-2")
        FileBytes.write(store + "/topics/t.json", text: "{not json")
        let dataBefore = Fixture.dataBytes(store)

        let plan = try Repair(path: store).makeStorePlan()
        let texts = plan.actions.map { $0.text(in: store) }
        #expect(texts.count == 3, "\(texts)")
        #expect(texts.first?.contains("are not numbered from 0 without gaps") == true, "\(texts)")
        #expect(texts.contains("move t-0 to quarantine: unknown-partition: no description of topic t in topics/"))
        #expect(texts.contains("move t-2 to quarantine: unknown-partition: no description of topic t in topics/"))

        let console = Console.capturing()
        #expect(Repair(path: store, apply: true).run(on: console) == .clean, "\(console.capturedOutput)\(console.capturedError)")
        #expect(Fixture.dataBytes(store) == dataBefore)
        let quarantine = store + "/" + (try #require(FileBytes.entries(store).first { $0.hasPrefix("quarantine-") }))
        #expect(FileBytes.entries(quarantine) == ["t-0", "t-2", "topics"])
        let opened = try Store(directory: store, retentionCheckInterval: nil)
        #expect(opened.topicNames.isEmpty)
        try opened.close()
    }

    @Test func commitsPastTheRepairedLogEndAreLoweredToIt() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        let cursorFile = store + "/cursors/g.json"
        let cursorBytes = FileBytes.read(cursorFile)
        // A bad CRC in the fifth batch: the log is cut at offset 12, below g's commit of 30.
        let log = Fixture.logs(store + "/t-0")[0]
        let batch = try Fixture.batches(log)[4]
        FileBytes.overwrite(log, at: batch.position + 90, with: [0xEE])
        #expect(batch.header.baseOffset == 12)

        let plan = try Repair(path: store).makeStorePlan()
        let t0 = TopicPartition(topic: "t", partition: 0)
        #expect(plan.commitActions == [.lowerCommittedOffset(file: cursorFile, group: "g", topicPartition: t0, from: 30, to: 12)])
        #expect(plan.partitions.first { $0.partition == store + "/t-0" }?.logEndOffset == 12)

        let console = Console.capturing()
        #expect(Repair(path: store, apply: true).run(on: console) == .clean, "\(console.capturedOutput)\(console.capturedError)")
        let cursors = try CursorStore(directory: store + "/cursors")
        #expect(cursors.committed(group: "g", t0)?.offset == 12)
        #expect(cursors.committed(group: "g", TopicPartition(topic: "t", partition: 1))?.offset == 5)
        let quarantine = store + "/" + (try #require(FileBytes.entries(store).first { $0.hasPrefix("quarantine-") }))
        #expect(FileBytes.read(quarantine + "/cursors/g.json") == cursorBytes)
        #expect(FileBytes.entries(store + "/t-0").contains { $0.hasPrefix("quarantine-") })
    }

    @Test func unreadableCursorFileIsMovedAsideIntact() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        FileBytes.write(store + "/cursors/g.json", text: "{\"version\": 7}")
        let console = Console.capturing()
        #expect(Repair(path: store, apply: true).run(on: console) == .clean, "\(console.capturedOutput)\(console.capturedError)")
        #expect(console.capturedOutput.contains("move cursors/g.json to quarantine: bad-cursor-file"), "\(console.capturedOutput)")
        let quarantine = store + "/" + (try #require(FileBytes.entries(store).first { $0.hasPrefix("quarantine-") }))
        #expect(FileBytes.read(quarantine + "/cursors/g.json") == Array("{\"version\": 7}".utf8))
        let opened = try Store(directory: store, retentionCheckInterval: nil)
        #expect(opened.cursors.groupNames.isEmpty)
        try opened.close()
    }

    @Test func missingPartitionIsLeftForABackup() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        let spare = directory.child("spare")
        FileBytes.makeDirectory(spare)
        try await Fixture.writeStore(store)
        FileBytes.move(store + "/t-1", spare + "/t-1")
        let listing = FileBytes.tree(store)
        let result = try InspectProcess.run(["repair", store, "--apply"])
        #expect(result.status == 1, "\(result.output)\(result.error)")
        #expect(result.output.contains("not repaired: 1 missing-partition problem (Restore the directory"), "\(result.output)")
        #expect(FileBytes.tree(store) == listing)
    }

    @Test func refusesKafkaLogDirectoriesUnlessAllowed() throws {
        let directory = TemporaryDirectory()
        let logDirectory = directory.child("kafka-logs")
        FileBytes.makeDirectory(logDirectory)
        FileBytes.write(logDirectory + "/meta.properties", text: "version=1\n")
        FileBytes.makeDirectory(logDirectory + "/orders-0")
        FileBytes.write(logDirectory + "/orders-0/" + SegmentFileName.name(0, "log"), try KafkaBatches.mixedCodecs())
        let refused = try InspectProcess.run(["repair", logDirectory])
        #expect(refused.status == 2)
        #expect(refused.error.contains("written by Apache Kafka (found meta.properties)"), "\(refused.error)")
        let allowed = try InspectProcess.run(["repair", logDirectory, "--allow-kafka", "--apply"])
        #expect(allowed.status == 0, "\(allowed.output)\(allowed.error)")
        #expect(FileBytes.exists(logDirectory + "/meta.properties"))
    }

    @Test func aSegmentFileIsNotSomethingToRepair() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        let log = Fixture.logs(store + "/t-0")[0]
        let result = try InspectProcess.run(["repair", log])
        #expect(result.status == 2)
        #expect(result.error == "basalt-inspect: \(log): repair takes a store or one partition directory (<topic>-<partition>)\n")
    }

    @Test func refusesWhileTheStoreIsOpen() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        FileBytes.write(store + "/topics/t.json", text: "{not json")
        let listing = FileBytes.tree(store)
        // A bad topic file keeps Store from opening, so hold the lock as a running store would.
        try Store.withExclusiveLock(directory: store) {
            let result = try InspectProcess.run(["repair", store, "--apply"])
            #expect(result.status == 2)
            #expect(result.error == "basalt-inspect: \(store): the store is locked by a running process (pid \(getpid())); stop it first\n")
        }
        #expect(FileBytes.tree(store).filter { !$0.hasPrefix(".lock") } == listing.filter { !$0.hasPrefix(".lock") })
    }
}
