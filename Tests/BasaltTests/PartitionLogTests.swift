import Glibc
import Testing
@testable import Basalt

@Suite struct PartitionLogTests {
    static func record(_ index: Int, size: Int = 20) -> Record {
        let value = Array("value-\(index)-".utf8) + [UInt8](repeating: UInt8(index & 0x7F), count: size)
        return Record(key: Array("key-\(index)".utf8), value: value, timestamp: 1_700_000_000_000 + Int64(index))
    }

    static func smallSegments(_ durability: Durability = .os) -> LogConfig {
        var config = LogConfig()
        config.segmentBytes = 4096
        config.indexIntervalBytes = 256
        config.maxIndexBytes = 4096
        config.durability = durability
        return config
    }

    @Test func appendThenReadEveryOffset() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.smallSegments())
        var expected: [Int64: Record] = [:]
        var next = 0
        for batchSize in [1, 5, 17, 3, 40, 2, 9] {
            let records = (next..<(next + batchSize)).map { Self.record($0, size: 100) }
            let result = try await log.append(records, compression: batchSize % 2 == 0 ? .lz4 : .none)
            #expect(result.baseOffset == Int64(next))
            #expect(result.lastOffset == Int64(next + batchSize - 1))
            for (index, record) in records.enumerated() { expected[Int64(next + index)] = record }
            next += batchSize
        }
        #expect(log.logEndOffset == Int64(next))
        #expect(log.segmentCount > 1)
        for offset in 0..<Int64(next) {
            let records = try log.readRecords(from: offset, maxBytes: 1)
            let first = try #require(records.first)
            #expect(first.offset == offset)
            #expect(first.key.map(Array.init) == expected[offset]!.key)
            #expect(first.value.map(Array.init) == expected[offset]!.value)
            #expect(first.timestamp == expected[offset]!.timestamp)
        }
        #expect(try log.readRecords(from: Int64(next)).isEmpty)
        #expect(throws: BasaltError.offsetOutOfRange(offset: Int64(next + 1), logStartOffset: 0, logEndOffset: Int64(next))) {
            try log.readRecords(from: Int64(next + 1))
        }
        try log.close()
    }

    /// An encoded batch is stored byte for byte except its base offset, and the caller's
    /// array is left as it was (the offset is written from a separate buffer).
    @Test func encodedBatchIsStoredAsGivenWithItsNewBaseOffset() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        let log = try PartitionLog(directory: path, config: LogConfig())
        let first = try await log.append([Self.record(0), Self.record(1)])
        let encoded = try RecordBatchEncoder.encode([Self.record(2, size: 3_000), Self.record(3)], baseOffset: 77,
                                                    timestamp: 1_700_000_000_000)
        let original = encoded
        let result = try await log.append(encodedBatch: encoded)
        #expect(result.baseOffset == 2)
        #expect(encoded == original)
        try log.close()
        let stored = readFile(path + "/" + SegmentFileName.name(0, "log"))
        let firstSize = try stored.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }.totalSize
        #expect(first.lastOffset == 1)
        var expected = original
        expected.replaceSubrange(0..<8, with: withUnsafeBytes(of: Int64(2).bigEndian) { Array($0) })
        #expect(Array(stored[firstSize...]) == expected)
    }

    @Test func cleanReopenScansNothingAndContinues() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        do {
            let log = try PartitionLog(directory: path, config: Self.smallSegments())
            for index in 0..<100 { try await log.append([Self.record(index)]) }
            try log.close()
        }
        let log = try PartitionLog(directory: path, config: Self.smallSegments())
        #expect(log.openReport == PartitionLog.OpenReport(wasClean: true, recoveredSegments: 0, truncatedBytes: 0))
        #expect(log.logEndOffset == 100)
        try await log.append([Self.record(100)])
        let all = try log.readRecords(from: 0, maxBytes: 1 << 20)
        #expect(all.map(\.offset) == Array(0...100))
        try log.close()
    }

    @Test func uncleanReopenRecoversOnlyTheTail() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        do {
            let log = try PartitionLog(directory: path, config: Self.smallSegments())
            for index in 0..<200 { try await log.append([Self.record(index)]) }
            // Dropped without close: the next open sees an unclean shutdown.
        }
        let log = try PartitionLog(directory: path, config: Self.smallSegments())
        #expect(!log.openReport.wasClean)
        #expect(log.openReport.recoveredSegments == 1)
        #expect(log.logEndOffset == 200)
        #expect(try log.readRecords(from: 0, maxBytes: 1 << 20).map(\.offset) == Array(0..<200))
        try log.close()
    }

    @Test func tornTailIsTruncatedAtEveryLength() async throws {
        let directory = TemporaryDirectory()
        let source = directory.child("source")
        do {
            let log = try PartitionLog(directory: source, config: LogConfig())
            try await log.append([Self.record(0), Self.record(1)])
            try await log.append([Self.record(2)])
            try log.close()
        }
        let logFile = source + "/" + SegmentFileName.name(0, "log")
        let full = readFile(logFile)
        let firstBatch = try full.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }.totalSize
        for cut in firstBatch..<full.count {
            let copy = directory.child("cut-\(cut)")
            _ = system("rm -rf '\(copy)' && cp -r '\(source)' '\(copy)' && rm '\(copy)/partition.checkpoint'")
            truncateFile(copy + "/" + SegmentFileName.name(0, "log"), to: Int64(cut))
            let log = try PartitionLog(directory: copy, config: LogConfig())
            let expectedEnd: Int64 = cut == full.count ? 3 : 2
            #expect(log.logEndOffset == expectedEnd, "cut at \(cut)")
            #expect(log.openReport.truncatedBytes == Int64(cut - firstBatch))
            #expect(try log.readRecords(from: 0).count == 2)
            try await log.append([Self.record(9)])
            #expect(try log.readRecords(from: 2).first?.value.map(Array.init) == Self.record(9).value)
            try log.close()
            _ = system("rm -rf '\(copy)'")
        }
    }

    @Test func corruptionInTheMiddleIsATypedError() async throws {
        let directory = TemporaryDirectory()
        let path = directory.child("t-0")
        do {
            let log = try PartitionLog(directory: path, config: LogConfig())
            try await log.append([Self.record(0)])
            try await log.append([Self.record(1)])
            try await log.append([Self.record(2)])
        }
        let logFile = path + "/" + SegmentFileName.name(0, "log")
        let bytes = readFile(logFile)
        let firstSize = try bytes.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }.totalSize
        // Flip a value byte of the second batch.
        overwrite(logFile, at: Int64(firstSize + 70), with: [bytes[firstSize + 70] ^ 0x40])
        #expect {
            try PartitionLog(directory: path, config: LogConfig())
        } throws: { error in
            guard case BasaltError.corruptLog(let file, let position, _) = error else { return false }
            return file == logFile && position == Int64(firstSize)
        }
        // Nothing was truncated.
        #expect(fileSize(logFile) == Int64(bytes.count))
    }

    @Test func retentionBySizeAndDeleteRecords() async throws {
        let directory = TemporaryDirectory()
        var config = Self.smallSegments()
        config.retentionBytes = 8192
        config.retentionMs = -1
        let log = try PartitionLog(directory: directory.child("t-0"), config: config)
        for index in 0..<400 { try await log.append([Self.record(index)]) }
        let segmentsBefore = log.segmentCount
        // A reader holding slices of the oldest segment keeps them readable after deletion.
        let held = try log.read(from: 0, maxBytes: 1 << 20)
        let deleted = try log.enforceRetention()
        #expect(deleted > 0)
        #expect(log.segmentCount == segmentsBefore - deleted)
        #expect(log.sizeInBytes >= 8192 - 4096)
        #expect(log.logStartOffset > 0)
        let start = log.logStartOffset
        #expect(throws: BasaltError.self) { try log.readRecords(from: 0) }
        #expect(try log.readRecords(from: start).first?.offset == start)
        for slice in held {
            let bytes = try slice.file.read(count: slice.length, at: slice.position)
            #expect(bytes.count == slice.length)
            _ = try RecordBatch(storage: bytes)
        }
        try log.deleteRecords(before: 390)
        #expect(log.logStartOffset == 390)
        #expect(try log.readRecords(from: 390).first?.offset == 390)
        try log.close()
        let reopened = try PartitionLog(directory: directory.child("t-0"), config: config)
        #expect(reopened.logStartOffset == 390)
        try reopened.close()
    }

    @Test func offsetForTimestamp() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.smallSegments())
        for index in 0..<300 { try await log.append([Self.record(index)]) }
        for index in [0, 1, 57, 150, 299] {
            let found = try #require(try log.offset(forTimestamp: 1_700_000_000_000 + Int64(index)))
            #expect(found.offset == Int64(index))
            #expect(found.timestamp == 1_700_000_000_000 + Int64(index))
        }
        #expect(try log.offset(forTimestamp: 1_700_000_000_000 + 300) == nil)
        #expect(try log.offset(forTimestamp: 0)?.offset == 0)
        try log.close()
    }

    @Test func concurrentAppendersEveryAppend() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.smallSegments(.everyAppend))
        let results = try await withThrowingTaskGroup(of: [AppendResult].self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var results: [AppendResult] = []
                    for index in 0..<25 { results.append(try await log.append([Self.record(writer * 1000 + index)])) }
                    return results
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(results.map(\.baseOffset)) == Set(0..<200))
        #expect(log.durableOffset == 200)
        #expect(log.logEndOffset == 200)
        try log.close()
    }

    @Test func waitForDataWakesOnAppendAndTimesOut() async throws {
        let directory = TemporaryDirectory()
        let log = try PartitionLog(directory: directory.child("t-0"), config: Self.smallSegments())
        #expect(await log.waitForData(after: 0, timeout: .milliseconds(20)) == false)
        async let woke = log.waitForData(after: 0, timeout: .seconds(30))
        try await Task.sleep(for: .milliseconds(20))
        try await log.append([Self.record(0)])
        #expect(await woke == true)
        try log.close()
    }
}
