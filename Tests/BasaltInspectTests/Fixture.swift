import Basalt
import Glibc

/// Builds real stores and partitions with the storage core, for the tests to read and
/// to damage by hand.
enum Fixture {
    static let topic = "t"
    static let group = "g"
    static let baseTimestamp: Int64 = 1_700_000_000_000

    /// Small segments (about 15 batches each) and an index entry every two or three batches.
    static func config(segmentBytes: Int = 4096, indexIntervalBytes: Int = 500) -> LogConfig {
        var config = LogConfig()
        config.segmentBytes = segmentBytes
        config.indexIntervalBytes = indexIntervalBytes
        config.maxIndexBytes = 4096
        config.durability = .os
        return config
    }

    static func record(_ index: Int, valueBytes: Int = 40) -> Record {
        let padding = [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: valueBytes)
        return Record(key: Array("key-\(index)".utf8), value: Array("value-\(index)-".utf8) + padding,
                      headers: [RecordHeader(key: "h", value: Array("\(index % 7)".utf8))],
                      timestamp: baseTimestamp + Int64(index))
    }

    /// Appends `batches` batches of `recordsPerBatch` records to the log at `path` and
    /// closes it cleanly. Returns the log end offset.
    @discardableResult
    static func writePartition(
        _ path: String, batches: Int = 40, recordsPerBatch: Int = 3, compression: CompressionCodec = .none,
        config: LogConfig = config()
    ) async throws -> Int64 {
        let log = try PartitionLog(directory: path, config: config)
        var next = 0
        for _ in 0..<batches {
            try await log.append((next..<(next + recordsPerBatch)).map { record($0) }, compression: compression)
            next += recordsPerBatch
        }
        let end = log.logEndOffset
        try log.close()
        return end
    }

    /// A store with topic `t` (two partitions, 40 batches of 3 records in `t-0`, 5 in
    /// `t-1`) and group `g` committed at 30 and 5. Closed cleanly.
    static func writeStore(_ path: String) async throws {
        let store = try Store(directory: path, defaultConfig: config(), retentionCheckInterval: nil)
        let topic = try store.createTopic(topic, partitions: 2)
        var next = 0
        for _ in 0..<40 {
            try await topic.append((next..<(next + 3)).map { record($0) }, partition: 0)
            next += 3
        }
        for index in 0..<5 { try await topic.append([record(index)], partition: 1) }
        try store.cursors.commit(group: group, offsets: [
            TopicPartition(topic: topic.name, partition: 0): CommittedOffset(offset: 30),
            TopicPartition(topic: topic.name, partition: 1): CommittedOffset(offset: 5),
        ])
        try store.close()
    }

    /// Paths of the files with `fileExtension` in `directory`, sorted.
    static func files(_ directory: String, _ fileExtension: String) -> [String] {
        FileBytes.entries(directory).filter { $0.hasSuffix("." + fileExtension) }.map { directory + "/" + $0 }
    }

    static func logs(_ directory: String) -> [String] { files(directory, SegmentFileName.log) }

    /// The same segment's file with another extension.
    static func sibling(_ log: String, _ fileExtension: String) -> String {
        String(log.dropLast(SegmentFileName.log.count)) + fileExtension
    }

    /// The batches of a `.log`: position and header.
    static func batches(_ log: String) throws -> [(position: Int64, header: RecordBatchHeader)] {
        var scanner = try SegmentScanner(file: StorageFile(readingFrom: log))
        var found: [(Int64, RecordBatchHeader)] = []
        while case .batch(let position, let header, _) = try scanner.next() { found.append((position, header)) }
        return found
    }

    /// The entries of a `.index`.
    static func offsetEntries(_ path: String) throws -> [OffsetIndexEntry] {
        var reader = try IndexFileReader<OffsetIndexEntry>(path: path)
        return try (0..<reader.entryCount).map { try reader.entry(at: $0) }
    }

    /// The entries of a `.timeindex`.
    static func timeEntries(_ path: String) throws -> [TimeIndexEntry] {
        var reader = try IndexFileReader<TimeIndexEntry>(path: path)
        return try (0..<reader.entryCount).map { try reader.entry(at: $0) }
    }

    static func bytes(of entry: OffsetIndexEntry) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: OffsetIndexEntry.size)
        bytes.withUnsafeMutableBytes { entry.store(to: $0.baseAddress!) }
        return bytes
    }

    static func bytes(of entry: TimeIndexEntry) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: TimeIndexEntry.size)
        bytes.withUnsafeMutableBytes { entry.store(to: $0.baseAddress!) }
        return bytes
    }

    /// Rewrites the batch at `position` of `log` with its CRC recomputed after `change`
    /// edits its bytes (a batch whose damage the CRC does not catch).
    static func rewriteBatch(_ log: String, at position: Int64, _ change: (inout [UInt8]) -> Void) throws {
        let header = try batches(log).first { $0.position == position }!.header
        let file = try StorageFile(readingFrom: log)
        var bytes = try file.read(count: header.totalSize, at: position)
        change(&bytes)
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
        bytes.replaceSubrange(17..<21, with: FileBytes.bigEndian(crc))
        FileBytes.overwrite(log, at: position, with: bytes)
    }

    /// `.log` bytes under `directory` and every directory below it, quarantines
    /// included (cut tails count too).
    static func dataBytes(_ directory: String) -> Int64 {
        var total: Int64 = 0
        for name in FileBytes.entries(directory) {
            let path = directory + "/" + name
            if FileBytes.isDirectory(path) {
                total += dataBytes(path)
            } else if name.hasSuffix(".log") || name.contains(".log.tail-from-") {
                total += FileBytes.size(path)
            }
        }
        return total
    }
}
