// A valid segment with arbitrary bytes appended, or written over part of it, must open
// with its torn tail truncated or with a typed error; never a crash, never a read that
// returns damaged records.
import Basalt
import Glibc

/// Three valid batches (one LZ4), encoded once per process.
private let validSegment: [UInt8] = {
    var bytes: [UInt8] = []
    for (index, compression) in [CompressionCodec.none, .lz4, .none].enumerated() {
        let records = (0..<4).map { Record(key: [UInt8(index), UInt8($0)], value: [UInt8](repeating: UInt8($0), count: 50), timestamp: 1_000 + Int64($0)) }
        let batch = (try? RecordBatchEncoder.encode(records, compression: compression, baseOffset: Int64(index * 4), timestamp: 1_000)) ?? []
        precondition(!batch.isEmpty, "encoding the seed segment failed")
        bytes += batch
    }
    return bytes
}()

/// One directory per process, emptied before each input.
private let directory = "/tmp/basalt-fuzz-recovery-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSegmentRecovery(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 3 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    var segment = validSegment
    let payload = Array(input[3...])
    if input[0] & 1 == 0 {
        segment += payload
    } else {
        let position = (Int(input[1]) << 8 | Int(input[2])) % segment.count
        for (index, byte) in payload.enumerated() where position + index < segment.count {
            segment[position + index] = byte
        }
        if position + payload.count > segment.count { segment += payload[(segment.count - position)...] }
    }
    removeEntries(of: directory)
    mkdir(directory, 0o755)
    let path = directory + "/" + SegmentFileName.name(0, SegmentFileName.log)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    segment.withUnsafeBytes { _ = write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)

    var config = LogConfig()
    config.durability = .os
    do {
        let log = try PartitionLog(directory: directory, config: config)
        var offset = log.logStartOffset
        while offset < log.logEndOffset {
            let records = try log.readRecords(from: offset, maxBytes: 1 << 16)
            guard let last = records.last else { break }
            precondition(last.offset >= offset, "read went backwards")
            offset = last.offset + 1
        }
        try log.close()
    } catch is BasaltError {
        // A typed error is an acceptable answer to damaged input.
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    return 0
}

/// Empties `path` (a flat directory) without forking a shell per input.
private func removeEntries(of path: String) {
    guard let handle = opendir(path) else { return }
    var names: [String] = []
    while let entry = readdir(handle) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    closedir(handle)
    for name in names { unlink(path + "/" + name) }
}
