import Basalt
import Foundation
import Glibc
import Testing
@testable import BasaltInspect

@Suite struct DumpTests {
    @Test func oneLinePerBatchWithEveryField() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition, batches: 4)
        let log = Fixture.logs(partition)[0]
        let console = Console.capturing()
        #expect(Dump(path: log).run(on: console) == .clean)
        let lines = console.capturedOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "# \(log): segment with base offset 0, \(FileBytes.size(log)) bytes")
        let batches = lines.filter { $0.hasPrefix("baseOffset:") }
        #expect(batches.count == 4)
        #expect(batches[1].hasPrefix("baseOffset: 3 lastOffset: 5 count: 3 position: \(try Fixture.batches(log)[1].position) size: "))
        for field in ["codec: none", "firstTimestamp: 1700000000003", "maxTimestamp: 1700000000005", "crc: ok",
                      "producerId: -1", "producerEpoch: -1", "baseSequence: -1", "transactional: false", "control: false"] {
            #expect(batches[1].contains(field), "\(field) in \(batches[1])")
        }
        #expect(lines.last == "# 4 batches shown; 0 problems")
    }

    @Test func recordsFromOffsetAndLimit() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition, batches: 4)
        let log = Fixture.logs(partition)[0]
        let result = try InspectProcess.run(["dump", log, "--records", "--from-offset", "4", "--limit", "2"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("baseOffset:") }.map { $0.prefix(13) } == ["baseOffset: 3", "baseOffset: 6"])
        let records = lines.filter { $0.hasPrefix("| offset:") }
        #expect(records.count == 5, "records 4, 5 of the first batch shown, 6–8 of the second: \(records)")
        #expect(records.first == "| offset: 4 timestamp: 1700000000004 key: \"key-4\" (5 B) value: \"value-4-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\" (48 B) headers: [\"h\": \"4\" (1 B)]")
        #expect(lines.last == "# 2 batches shown, 5 records (stopped at --limit 2); 0 problems")
    }

    @Test func binaryValuesAreShownAsHexHead() {
        let display = ByteDisplay()
        #expect(display.text(nil) == "null")
        #expect(display.text(Array("plain".utf8)[...]) == "\"plain\" (5 B)")
        #expect(display.text(Array("tab\there\n".utf8)[...]) == "\"tab\\there\\n\" (9 B)")
        #expect(display.text([0x00, 0x1B, 0xFF][...]) == "hex:001bff (3 B)")
        #expect(display.text(Array("\u{1B}[31mred".utf8)[...]).hasPrefix("hex:1b5b33316d"))
        let long = [UInt8](repeating: 0xAB, count: 100)
        #expect(display.text(long[...]) == "hex:" + String(repeating: "ab", count: 32) + "… (100 B)")
        #expect(display.text(Array(String(repeating: "x", count: 100).utf8)[...]) == "\"" + String(repeating: "x", count: 80) + "…\" (100 B)")
    }

    @Test func jsonLinesParse() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition, batches: 3, compression: .lz4)
        let log = Fixture.logs(partition)[0]
        let result = try InspectProcess.run(["dump", log, "--records", "--json"])
        #expect(result.status == 0)
        let objects = try result.output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let types: [String] = objects.map { $0["type"] as? String ?? "?" }
        var expectedTypes: [String] = ["segment"]
        for _ in 0..<3 { expectedTypes += ["batch", "record", "record", "record"] }
        expectedTypes.append("end")
        #expect(types == expectedTypes)
        #expect(objects[1]["codec"] as? String == "lz4")
        #expect(objects[1]["crcValid"] as? Bool == true)
        let value = try #require(objects[2]["value"] as? [String: Any])
        #expect(value["text"] as? String == "value-0-" + String(repeating: "a", count: 40))
        #expect(value["length"] as? Int == 48)
        #expect(objects.last?["records"] as? Int == 9)
    }

    @Test func recordsOfEveryCodecAreDecodedAndInvalidCodecsSayNotDecoded() throws {
        let directory = TemporaryDirectory()
        let log = directory.child(SegmentFileName.name(0, "log"))
        FileBytes.write(log, try KafkaBatches.mixedCodecs() + KafkaBatches.codecNumber(5, offset: 5))
        let console = Console.capturing()
        #expect(Dump(path: log, records: true).run(on: console) == .clean)
        let output = console.capturedOutput
        for (offset, codec) in CompressionCodec.allCases.enumerated() {
            #expect(output.contains("codec: \(codec)"))
            #expect(output.contains("| offset: \(offset) "), "the \(codec) batch's record")
        }
        #expect(output.contains("codec: invalid(5)"))
        #expect(output.contains("| records not decoded: codec invalid(5) is not decoded by basalt-inspect (Kafka defines codecs 0–4)"))
        #expect(!output.contains("| offset: 5 "))
    }

    @Test func indexEntriesAreCheckedAgainstTheLog() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition)
        let log = Fixture.logs(partition)[0]
        let index = Fixture.sibling(log, "index")
        let entries = try Fixture.offsetEntries(index)
        #expect(entries.count >= 3)
        // Entry 1 off by one byte; entry 2 swapped below entry 1; one entry past the end.
        FileBytes.overwrite(index, at: 8, with: Fixture.bytes(of: OffsetIndexEntry(relativeOffset: entries[1].relativeOffset, position: entries[1].position + 1)))
        FileBytes.append(index, Fixture.bytes(of: OffsetIndexEntry(relativeOffset: entries[0].relativeOffset, position: 5)))
        FileBytes.append(index, Fixture.bytes(of: OffsetIndexEntry(relativeOffset: 10_000, position: 1_000_000)))
        let console = Console.capturing()
        #expect(Dump(path: index).run(on: console) == .problemsFound)
        let lines = console.capturedOutput.split(separator: "\n").map(String.init)
        #expect(lines[0].hasSuffix("offset index, \(entries.count + 2) entries (\((entries.count + 2) * 8) bytes), checked against \(FileSystem.baseName(log))"))
        #expect(lines[1] == "slot: 0 offset: \(entries[0].relativeOffset) relativeOffset: \(entries[0].relativeOffset) position: \(entries[0].position) ok")
        #expect(lines[2].contains("!! index-not-at-batch: position \(entries[1].position + 1) is not the start of a batch"))
        #expect(lines[entries.count + 1].contains("!! index-out-of-order"))
        #expect(lines[entries.count + 2].contains("!! index-beyond-log: position 1000000 is at or past the end"))
        #expect(lines[entries.count + 2].contains("offset 10000 is past the segment's last offset"))
        #expect(lines.last == "# \(entries.count + 2) entries shown; 4 problems")

        let time = Fixture.sibling(log, "timeindex")
        let timeConsole = Console.capturing()
        #expect(Dump(path: time, json: true).run(on: timeConsole) == .clean)
        let objects = try timeConsole.capturedOutput.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.first?["index"] as? String == "time")
        #expect(objects.filter { $0["type"] as? String == "entry" }.allSatisfy { $0["ok"] as? Bool == true })
    }

    @Test func badInputsGiveOneLineErrors() async throws {
        let directory = TemporaryDirectory()
        let partition = directory.child("t-0")
        try await Fixture.writePartition(partition, batches: 3)
        let log = Fixture.logs(partition)[0]

        // Not a segment file at all.
        FileBytes.write(directory.child("notes.txt"), text: "hello\n")
        var result = try InspectProcess.run(["dump", directory.child("notes.txt")])
        #expect(result.status == 2)
        #expect(result.error == "basalt-inspect: \(directory.child("notes.txt")): a .txt file is not a segment file (expected .log, .index or .timeindex)\n")

        // Text in a file named .log: a finding, not a crash.
        FileBytes.write(directory.child("text.log"), text: String(repeating: "this is not a record batch\n", count: 10))
        result = try InspectProcess.run(["dump", directory.child("text.log")])
        #expect(result.status == 1)
        #expect(result.output.contains("!! position: 0 invalid-batch: magic"))

        // An empty file.
        FileBytes.write(directory.child(SegmentFileName.name(0, "log")), [])
        result = try InspectProcess.run(["dump", directory.child(SegmentFileName.name(0, "log"))])
        #expect(result.status == 0)
        #expect(result.output.contains("(empty segment: no batches)"))

        // A truncated batch.
        let copy = directory.child(SegmentFileName.name(100, "log"))
        FileBytes.write(copy, FileBytes.read(log))
        FileBytes.truncate(copy, to: FileBytes.size(copy) - 5)
        result = try InspectProcess.run(["dump", copy])
        #expect(result.status == 1)
        #expect(result.output.contains("truncated-batch: batch length field says"))

        // A length field of 2 GiB.
        FileBytes.write(copy, FileBytes.read(log))
        FileBytes.overwrite(copy, at: 8, with: FileBytes.bigEndian(Int32.max))
        result = try InspectProcess.run(["dump", copy, "--records"])
        #expect(result.status == 1)
        #expect(result.output.contains("!! position: 0 truncated-batch: batch length field says 2147483659 bytes"))
        #expect(result.error.isEmpty)

        // A directory, and a missing file.
        result = try InspectProcess.run(["dump", partition])
        #expect(result.status == 2)
        #expect(result.error.hasPrefix("basalt-inspect: \(partition): is a directory"))
        result = try InspectProcess.run(["dump", directory.child("absent.log")])
        #expect(result.status == 2)
        #expect(result.error == "basalt-inspect: \(directory.child("absent.log")): no such file or directory\n")

        // Usage errors exit 2 too.
        result = try InspectProcess.run(["dump"])
        #expect(result.status == 2)
        result = try InspectProcess.run(["frobnicate"])
        #expect(result.status == 2)
        result = try InspectProcess.run(["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("verify"))
    }
}
