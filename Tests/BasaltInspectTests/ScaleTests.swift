import Basalt
import Foundation
import Glibc
import Testing
@testable import BasaltInspect

/// Large files: memory stays flat, the progress bar draws only on a terminal.
@Suite(.serialized) struct ScaleTests {
    /// A segment of `batches` batches of about 1 MiB each (1000 records of 1 KiB), with
    /// empty index files beside it.
    static func writeLargeSegment(_ partition: String, batches: Int) throws -> String {
        FileBytes.makeDirectory(partition)
        let log = partition + "/" + SegmentFileName.name(0, "log")
        let records = (0..<1000).map { index in
            Record(key: Array("key-\(index)".utf8), value: [UInt8](repeating: UInt8(index % 251), count: 1024),
                   timestamp: Fixture.baseTimestamp + Int64(index))
        }
        var batch = try RecordBatchEncoder.encode(records, timestamp: Fixture.baseTimestamp)
        let descriptor = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(descriptor) }
        var position: off_t = 0
        for index in 0..<batches {
            // The base offset (bytes 0–7) is outside the CRC, as when the log assigns it.
            batch.replaceSubrange(0..<8, with: FileBytes.bigEndian(Int64(index * 1000)))
            batch.withUnsafeBytes { position += off_t(pwrite(descriptor, $0.baseAddress, $0.count, position)) }
        }
        FileBytes.write(partition + "/" + SegmentFileName.name(0, "index"), [])
        FileBytes.write(partition + "/" + SegmentFileName.name(0, "timeindex"), [])
        return log
    }

    @Test func memoryStaysFlatWhateverTheFileSize() throws {
        let directory = TemporaryDirectory()
        let log = try Self.writeLargeSegment(directory.child("big-0"), batches: 160)
        #expect(FileBytes.size(log) > 150 << 20)
        for arguments in [["verify", log], ["verify", "--deep", log], ["summary", directory.child("big-0")],
                          ["dump", "--records", "--limit", "1", "--from-offset", "159000", log]] {
            let result = try InspectProcess.peakMemory(arguments)
            #expect(result.status == 0, "\(arguments)")
            // The segment is 160 MiB; each run's own peak must stay far below it.
            #expect(result.maxResidentKiB < 64 * 1024, "\(arguments) used \(result.maxResidentKiB) KiB")
        }
        let limited = try InspectProcess.run(["dump", "--records", "--limit", "1", "--from-offset", "159000", log])
        #expect(limited.status == 0)
        #expect(limited.output.contains("| offset: 159999 "))
    }

    @Test func progressBarOnlyOnATerminal() throws {
        let directory = TemporaryDirectory()
        let log = try Self.writeLargeSegment(directory.child("big-0"), batches: 70)
        let terminal = Console.capturing(showsProgress: true)
        #expect(Verify(path: log).run(on: terminal) == .clean)
        #expect(terminal.capturedError.contains("verify ["))
        #expect(terminal.capturedError.hasSuffix("\r"))
        #expect(terminal.capturedOutput.hasPrefix("OK: segment"))
        let pipe = Console.capturing(showsProgress: false)
        #expect(Verify(path: log).run(on: pipe) == .clean)
        #expect(pipe.capturedError.isEmpty)
    }

    /// Not a test: writes the ~1 GiB partition the throughput figure in docs/inspect.md
    /// is measured on, when `BASALT_INSPECT_BENCH_DIR` names where to put it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["BASALT_INSPECT_BENCH_DIR"] != nil))
    func writeBenchmarkPartition() async throws {
        let target = try #require(ProcessInfo.processInfo.environment["BASALT_INSPECT_BENCH_DIR"]) + "/bench-0"
        var config = LogConfig()
        config.segmentBytes = Int(Int32.max)
        config.durability = .os
        let log = try PartitionLog(directory: target, config: config)
        // 16 KiB batches (Kafka's default batch.size) of 16 records of 1 KiB, to 1 GiB.
        let records = (0..<16).map { Record(key: Array("key-\($0)".utf8), value: [UInt8](repeating: UInt8($0 * 7), count: 1000)) }
        while log.sizeInBytes < 1 << 30 { try await log.append(records) }
        try log.close()
    }
}
