import Basalt
import Foundation
import Testing
@testable import BasaltInspect

@Suite struct SummaryTests {
    @Test func tableShowsPartitionsAndCursorLag() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        let console = Console.capturing()
        #expect(Summary(path: store).run(on: console) == .clean)
        let lines = console.capturedOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("store \(store): 1 topic, 2 partitions, "))
        #expect(lines[0].hasSuffix(", 0 problems"))
        #expect(lines[2].hasPrefix("TOPIC  PARTITION  SEGMENTS  START  END  RECORDS"))
        let t0 = lines[3].split(separator: " ").map(String.init)
        #expect(t0[0] == "t" && t0[1] == "0" && t0[3] == "0" && t0[4] == "120" && t0[5] == "120")
        #expect(lines[3].contains("2023-11-14T22:13:20.000Z"))
        let t1 = lines[4].split(separator: " ").map(String.init)
        #expect(t1[0] == "t" && t1[1] == "1" && t1[2] == "1" && t1[4] == "5")
        #expect(console.capturedOutput.contains("batches by codec: none 45"))
        let cursor = try #require(lines.first { $0.hasPrefix("g ") })
        #expect(cursor.split(separator: " ").map(String.init) == ["g", "t", "0", "30", "120", "90"])
    }

    @Test func jsonHasTheDocumentedFields() async throws {
        let directory = TemporaryDirectory()
        let store = directory.child("store")
        try await Fixture.writeStore(store)
        let result = try InspectProcess.run(["summary", store, "--json"])
        #expect(result.status == 0, "\(result.error)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(document["version"] as? Int == 1)
        #expect(document["command"] as? String == "summary")
        let topics = try #require(document["topics"] as? [[String: Any]])
        #expect(topics.map { $0["name"] as? String } == ["t"])
        let partitions = try #require(topics[0]["partitions"] as? [[String: Any]])
        #expect(partitions.count == 2)
        let first = partitions[0]
        for key in ["partition", "path", "segments", "logStartOffset", "logEndOffset", "records", "batches", "bytes",
                    "measuredBytes", "uncompressedBytes", "compressionRatio", "firstTimestamp", "maxTimestamp", "codecs",
                    "cleanShutdown", "problems"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        #expect(first["logEndOffset"] as? Int == 120)
        #expect(first["records"] as? Int == 120)
        #expect(first["cleanShutdown"] as? Bool == true)
        #expect(first["compressionRatio"] as? Double == 1.0)
        let cursors = try #require(document["cursors"] as? [[String: Any]])
        #expect(cursors.count == 2)
        #expect(cursors[0]["group"] as? String == "g")
        #expect(cursors[0]["committedOffset"] as? Int == 30)
        #expect(cursors[0]["lag"] as? Int == 90)
    }

    @Test func compressionRatioOfLZ4Batches() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("c-0")
        try await Fixture.writePartition(partition, batches: 10, recordsPerBatch: 20, compression: .lz4)
        let gathered = try Summary(path: partition).gather()
        let facts = try #require(gathered.partitions.first)
        #expect(facts.records == 200)
        #expect(facts.codecBatches == ["lz4": 10])
        let ratio = try #require(facts.compressionRatio)
        #expect(ratio > 2, "repetitive values compress: \(ratio)")
    }

    @Test func kafkaLogDirectoryWithOtherCodecs() throws {
        let directory = TemporaryDirectory()
        let logDirectory = directory.child("kafka-logs")
        FileBytes.makeDirectory(logDirectory)
        FileBytes.write(logDirectory + "/meta.properties", text: "version=1\n")
        let partition = logDirectory + "/orders-0"
        FileBytes.makeDirectory(partition)
        FileBytes.write(partition + "/" + SegmentFileName.name(0, "log"), try KafkaBatches.mixedCodecs())
        FileBytes.write(partition + "/" + SegmentFileName.name(0, "index"), [])
        FileBytes.write(partition + "/" + SegmentFileName.name(0, "timeindex"), [])
        FileBytes.write(partition + "/leader-epoch-checkpoint", text: "0\n1\n0 0\n")
        FileBytes.write(partition + "/" + SegmentFileName.name(0, "snapshot"), [])
        let console = Console.capturing()
        #expect(Summary(path: logDirectory).run(on: console) == .clean)
        #expect(console.capturedOutput.contains("batches by codec: gzip 1, lz4 1, none 1, snappy 1, zstd 1\n"),
                "\(console.capturedOutput)")
        let outcome = try Verify(path: logDirectory).check()
        #expect(outcome.problems.isEmpty, "\(outcome.problems.map(\.text))")
    }
}
