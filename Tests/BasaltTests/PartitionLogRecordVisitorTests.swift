import Testing
@testable import Basalt

/// `forEachRecord` must see exactly what `readRecords` returns, fail the same way, and
/// stop when its body throws.
@Suite struct PartitionLogRecordVisitorTests {
    /// What a test compares of one record, copied out of either API.
    struct Seen: Equatable, CustomStringConvertible {
        let offset: Int64
        let timestamp: Int64
        let key: [UInt8]?
        let value: [UInt8]?
        let headers: [RecordHeader]
        var description: String { "\(offset)@\(timestamp) key \(key?.count ?? -1) value \(value?.count ?? -1) headers \(headers.count)" }
    }

    struct StopHere: Error, Equatable {}

    static func record(_ index: Int) -> Record {
        let key: [UInt8]? = index % 4 == 0 ? nil : Array("key-\(index)".utf8)
        let value: [UInt8]? = index % 11 == 5 ? nil : Array("value-\(index)-".utf8) + [UInt8](repeating: UInt8(index & 0x7F), count: index % 90)
        var headers: [RecordHeader] = []
        if index % 3 == 1 { headers.append(RecordHeader(key: "trace", value: Array("t\(index)".utf8))) }
        if index % 5 == 2 { headers.append(RecordHeader(key: "null", value: nil)) }
        return Record(key: key, value: value, headers: headers, timestamp: 1_700_000_000_000 + Int64(index * 3))
    }

    static func visited(_ log: PartitionLog, from offset: Int64, maxBytes: Int) throws -> (records: [Seen], next: Int64) {
        var seen: [Seen] = []
        let next = try log.forEachRecord(from: offset, maxBytes: maxBytes) { record in
            seen.append(Seen(offset: record.offset, timestamp: record.timestamp, key: record.key.map(Array.init),
                             value: record.value.map(Array.init), headers: record.headers))
        }
        return (seen, next)
    }

    static func read(_ log: PartitionLog, from offset: Int64, maxBytes: Int) throws -> [Seen] {
        try log.readRecords(from: offset, maxBytes: maxBytes).map {
            Seen(offset: $0.offset, timestamp: $0.timestamp, key: $0.key.map(Array.init),
                 value: $0.value.map(Array.init), headers: $0.headers)
        }
    }

    /// A control batch (a transaction marker): any records, with the control bit set
    /// and the CRC recomputed.
    static func controlBatch() throws -> [UInt8] {
        var bytes = try RecordBatchEncoder.encode([Record(key: [0, 0, 0, 0], value: [0, 0, 0, 0, 0, 0])],
                                                  compression: .none, producer: .none, timestamp: 1)
        bytes[22] |= 0x20
        let crc = CRC32C.checksum(Array(bytes[21...]))
        for index in 0..<4 { bytes[17 + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * index)) }
        return bytes
    }

    /// A log over several small segments, batches of `codec` with a control batch
    /// between them; returns the log and its end offset.
    static func makeLog(_ directory: TemporaryDirectory, _ codec: CompressionCodec) async throws -> PartitionLog {
        var config = LogConfig()
        // Small enough that even compressed batches roll segments.
        config.segmentBytes = 700
        config.indexIntervalBytes = 128
        config.maxIndexBytes = 4096
        config.durability = .os
        let log = try PartitionLog(directory: directory.child("t-0"), config: config)
        var next = 0
        for (step, batchSize) in [1, 5, 17, 3, 40, 2, 9, 26].enumerated() {
            try await log.append((next..<(next + batchSize)).map(Self.record), compression: codec)
            next += batchSize
            if step == 3 { try await log.append(encodedBatch: Self.controlBatch()) }
        }
        #expect(log.segmentCount > 1)
        return log
    }

    @Test(arguments: CompressionCodec.allCases)
    func visitorSeesExactlyWhatReadRecordsReturns(codec: CompressionCodec) async throws {
        let directory = TemporaryDirectory()
        let log = try await Self.makeLog(directory, codec)
        let end = log.logEndOffset
        for maxBytes in [1, 700, 1 << 20] {
            for offset in 0...end {
                let expected = try Self.read(log, from: offset, maxBytes: maxBytes)
                let (seen, next) = try Self.visited(log, from: offset, maxBytes: maxBytes)
                #expect(seen == expected, "from \(offset), maxBytes \(maxBytes)")
                if let last = seen.last { #expect(next > last.offset) }
                #expect(offset == end ? next == end : next > offset)
            }
        }
        // Following the returned offsets walks the whole log, control batch skipped.
        var all: [Seen] = []
        var offset = log.logStartOffset
        while offset < end {
            let (seen, next) = try Self.visited(log, from: offset, maxBytes: 500)
            all += seen
            offset = next
        }
        #expect(offset == end)
        #expect(all == (try Self.read(log, from: 0, maxBytes: 1 << 30)))
        #expect(all.count == 103)
        #expect(all.map(\.offset) == Array(0..<Int64(1 + 5 + 17 + 3)) + Array(27..<end))
        try log.close()
    }

    /// A log of three one-record batches, its segment file, that file's bytes and the
    /// size of its first batch: the setting of the damage tests.
    static func threeBatches(in directory: TemporaryDirectory) async throws
        -> (log: PartitionLog, logFile: String, bytes: [UInt8], firstSize: Int) {
        let path = directory.child("t-0")
        let log = try PartitionLog(directory: path, config: LogConfig())
        for index in 0..<3 { try await log.append([Self.record(index * 7 + 1)]) }
        let logFile = path + "/" + SegmentFileName.name(0, "log")
        let bytes = readFile(logFile)
        let firstSize = try bytes.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }.totalSize
        return (log, logFile, bytes, firstSize)
    }

    @Test func aCorruptBatchIsTheSameErrorAsReadRecords() async throws {
        let directory = TemporaryDirectory()
        let (log, logFile, bytes, firstSize) = try await Self.threeBatches(in: directory)
        // Flip a byte of the second batch's records under the open log.
        overwrite(logFile, at: Int64(firstSize + 70), with: [bytes[firstSize + 70] ^ 0x40])
        var expected: (any Error)?
        do { _ = try log.readRecords(from: 0) } catch { expected = error }
        let readError = try #require(expected as? BasaltError)
        guard case .corruptLog(_, let position, _) = readError else {
            Issue.record("readRecords threw \(readError)")
            return
        }
        #expect(position == Int64(firstSize))
        #expect(throws: readError) { _ = try Self.visited(log, from: 0, maxBytes: 1 << 20) }
        #expect(throws: readError) { _ = try Self.visited(log, from: 1, maxBytes: 1 << 20) }
        try log.close()
    }

    @Test func aDamagedRecordUnderAGoodCRCIsTheSameErrorAsReadRecords() async throws {
        let directory = TemporaryDirectory()
        var (log, logFile, bytes, firstSize) = try await Self.threeBatches(in: directory)
        let secondSize = try bytes.withUnsafeBytes {
            try RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: $0[firstSize...]))
        }.totalSize
        // The second batch's only record: length, attributes, timestamp delta, offset
        // delta, then the key length, here made longer than the record; CRC resealed.
        bytes[firstSize + 65] = 0x7E
        let crc = CRC32C.checksum(Array(bytes[(firstSize + 21)..<(firstSize + secondSize)]))
        for index in 0..<4 { bytes[firstSize + 17 + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * index)) }
        overwrite(logFile, at: Int64(firstSize), with: Array(bytes[firstSize..<(firstSize + secondSize)]))
        var expected: (any Error)?
        do { _ = try log.readRecords(from: 0) } catch { expected = error }
        let readError = try #require(expected as? BasaltError)
        guard case .corruptLog(_, let position, let reason) = readError else {
            Issue.record("readRecords threw \(readError)")
            return
        }
        #expect(position == Int64(firstSize))
        #expect(reason.contains("bad key length"))
        #expect(throws: readError) { _ = try Self.visited(log, from: 0, maxBytes: 1 << 20) }
        try log.close()
    }

    @Test func aThrowingBodyStopsTheWalk() async throws {
        let directory = TemporaryDirectory()
        let log = try await Self.makeLog(directory, .lz4)
        var offsets: [Int64] = []
        #expect(throws: StopHere()) {
            _ = try log.forEachRecord(from: 2) { record in
                if offsets.count == 3 { throw StopHere() }
                offsets.append(record.offset)
            }
        }
        #expect(offsets == [2, 3, 4])
        // The buffer went back to the log in good order: the next walk is complete.
        #expect(try Self.visited(log, from: 0, maxBytes: 1 << 20).records == (try Self.read(log, from: 0, maxBytes: 1 << 20)))
        try log.close()
    }

    @Test func consumerVisitsWhatPollReturns() async throws {
        let directory = TemporaryDirectory()
        var config = LogConfig()
        config.durability = .os
        config.segmentBytes = 8192
        config.maxIndexBytes = 4096
        let store = try Store(directory: directory.path, defaultConfig: config, retentionCheckInterval: nil)
        let topic = try store.createTopic("events", partitions: 2)
        for index in 0..<50 {
            try await topic.append([Self.record(index), Self.record(index + 1)], partition: Int32(index % 2))
        }
        let polled = try await store.consumer(group: "poll", topic: "events").poll(maxRecords: 1_000)
        let consumer = try store.consumer(group: "visit", topic: "events")
        var seen: [Int64] = []
        let first = try await consumer.forEachAvailable(maxRecords: 31) { seen.append($0.offset) }
        #expect(first == 31)
        let rest = try await consumer.forEachAvailable(maxRecords: 1_000) { seen.append($0.offset) }
        #expect(first + rest == 100)
        #expect(seen.sorted() == polled.map(\.offset).sorted())
        #expect(try await consumer.forEachAvailable { _ in } == 0)
        try store.close()
    }
}
