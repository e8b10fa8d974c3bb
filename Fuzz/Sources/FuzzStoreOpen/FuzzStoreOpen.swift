// One file of a small, valid store replaced by the fuzzer's bytes (or overwritten by
// them in place): opening the store and reading everything it opened must succeed or
// throw a typed BasaltError, never trap. Covers the topic description, cursor file,
// partition checkpoint, producer-state snapshot, offset and time indexes and segments.
//
// Input: byte 0 picks the file (low 7 bits) and whether the open follows a crash rather
// than a clean close (high bit); byte 1 bit 0 picks "overwrite in place at the position
// in bytes 2–3" over "replace the whole file"; the rest is the bytes.
import Basalt
import Foundation
import Glibc

private let root = "/tmp/basalt-fuzz-store-\(getpid())"
private let template = root + "/template"
private let scratch = root + "/case"

private func config() -> LogConfig {
    var config = LogConfig()
    config.durability = .os
    config.segmentBytes = 4096
    config.indexIntervalBytes = 200
    config.maxIndexBytes = 4096
    return config
}

private func writeFile(_ path: String, _ bytes: [UInt8]) {
    unlink(path)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(descriptor >= 0, "cannot create \(path)")
    bytes.withUnsafeBytes { _ = write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
}

/// Builds the template store once per process and returns its files, relative to it.
/// Synchronous: the two segments are written by hand and recovered by the open.
private let targets: [String] = {
    do {
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: template, withIntermediateDirectories: true)
        do {
            let store = try Store(directory: template, defaultConfig: config(), retentionCheckInterval: nil)
            try store.createTopic("t")
            try store.close()
        }
        let partition = template + "/t-0"
        try FileManager.default.removeItem(atPath: partition)
        try FileManager.default.createDirectory(atPath: partition, withIntermediateDirectories: false)
        for segment in 0..<2 {
            var bytes: [UInt8] = []
            for batch in (segment * 10)..<(segment * 10 + 10) {
                let records = (0..<2).map { Record(key: [UInt8($0)], value: [UInt8](repeating: UInt8(batch), count: 60)) }
                bytes += try RecordBatchEncoder.encode(
                    records, compression: batch % 4 == 3 ? .lz4 : .none, baseOffset: Int64(batch * 2),
                    producer: .init(producerId: 7, producerEpoch: 0, baseSequence: Int32(batch * 2)),
                    timestamp: 1_700_000_000_000 + Int64(batch))
            }
            writeFile(partition + "/" + SegmentFileName.name(Int64(segment * 20), SegmentFileName.log), bytes)
        }
        let store = try Store(directory: template, defaultConfig: config(), retentionCheckInterval: nil)
        let log = try store.topic("t").partition(0)
        precondition(log.logEndOffset == 40, "the template holds 40 records")
        try ProducerStateTable.load(for: log).writeSnapshot(for: log)
        try store.cursors.commit(group: "g", offsets: [TopicPartition(topic: "t", partition: 0): CommittedOffset(offset: 5)])
        try store.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: partition).sorted().map { "t-0/" + $0 }
        return ["topics/t.json", "cursors/g.json"] + files
    } catch {
        preconditionFailure("building the template store failed: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStoreOpen(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 4 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let target = targets[Int(input[0] & 0x7f) % targets.count]
    let payload = Array(input[4...])
    try? FileManager.default.removeItem(atPath: scratch)
    do {
        try FileManager.default.copyItem(atPath: template, toPath: scratch)
    } catch {
        preconditionFailure("copying the template failed: \(error)")
    }
    if input[0] & 0x80 != 0, target != "t-0/" + PartitionCheckpointFile.fileName,
       var checkpoint = PartitionCheckpointFile.read(directory: scratch + "/t-0") {
        checkpoint.clean = nil
        try? checkpoint.write(directory: scratch + "/t-0")
    }
    let path = scratch + "/" + target
    var bytes = payload
    if input[1] & 1 == 1, let original = FileManager.default.contents(atPath: path), !original.isEmpty {
        bytes = Array(original)
        let position = (Int(input[2]) << 8 | Int(input[3])) % bytes.count
        for (index, byte) in payload.enumerated() {
            if position + index < bytes.count { bytes[position + index] = byte } else { bytes.append(byte) }
        }
    }
    writeFile(path, bytes)

    do {
        let store = try Store(directory: scratch, defaultConfig: config(), retentionCheckInterval: nil)
        defer { try? store.close() }
        for name in store.topicNames {
            for log in try store.topic(name).partitions {
                _ = try ProducerStateTable.load(for: log)
                var offset = log.logStartOffset
                while offset < log.logEndOffset {
                    let records = try log.readRecords(from: offset, maxBytes: 1 << 16)
                    guard let last = records.last else { break }
                    precondition(last.offset >= offset, "read went backwards")
                    offset = last.offset + 1
                }
                _ = try log.offset(forTimestamp: 1_700_000_000_005)
            }
        }
        _ = store.cursors.committedOffsets(group: "g")
    } catch is BasaltError {
        // A typed error is an acceptable answer to a damaged file.
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    return 0
}
