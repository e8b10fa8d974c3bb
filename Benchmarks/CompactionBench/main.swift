// Log cleaner throughput against the raw read+write limit of the same disk, in one run.
//
//   CompactionBench <directory> <MiB> <keys> [value bytes]
//
// Writes <MiB> of a compacted topic's history (batches of 100 records of <keys> distinct
// keys, uniformly drawn, 1 KiB values by default, uncompressed, 64 MiB segments), rolls,
// and times one forced clean of the whole log (MB/s of input). Then reads a file of the
// same size and writes a copy with plain 1 MiB pread/pwrite and one fdatasync: the raw
// read + write limit the cleaner is compared with. The page cache is dropped neither
// time (it cannot be without root); both runs read data just written.
import Basalt
import Glibc

let arguments = CommandLine.arguments
guard arguments.count >= 4, let mebibytes = Int(arguments[2]), let keyCount = Int(arguments[3]) else {
    print("usage: CompactionBench <directory> <MiB> <keys> [value bytes]")
    exit(2)
}
let directory = arguments[1]
let valueBytes = arguments.count > 4 ? Int(arguments[4]) ?? 1024 : 1024
var config = LogConfig()
config.segmentBytes = 64 << 20
config.durability = .os
config.retentionMs = -1
config.cleanupPolicy = .compact
config.minCleanableDirtyRatio = 0

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

var random = SystemRandomNumberGenerator()
let value = [UInt8](repeating: 0x5A, count: valueBytes)
let log = try PartitionLog(directory: directory + "/log-0", config: config)
var written: Int64 = 0
let target = Int64(mebibytes) << 20
while written < target {
    let records = (0..<100).map { _ in Record(key: Array("key-\(Int.random(in: 0..<keyCount, using: &random))".utf8), value: value) }
    let batch = try RecordBatchEncoder.encode(records, timestamp: 1_700_000_000_000)
    try await log.append(encodedBatch: batch)
    written += Int64(batch.count)
}
try log.roll()
try log.flush()
let input = log.sizeInBytes
print("wrote \(input >> 20) MiB in \(log.segmentCount) segments, \(keyCount) keys, \(valueBytes)-byte values")

let cleaner = LogCleaner(keyMapBytes: 64 << 20)
let start = ContinuousClock.now
guard let stats = try cleaner.clean(log, force: true) else { fatalError("nothing cleaned") }
let cleanSeconds = seconds(ContinuousClock.now - start)
let cleanRate = Double(stats.bytesRead) / 1e6 / cleanSeconds
print(String(format: "clean: read %.1f MB, wrote %.1f MB, removed %d of %d records in %.2f s: %.1f MB/s of input",
             Double(stats.bytesRead) / 1e6, Double(stats.bytesWritten) / 1e6, stats.recordsRemoved, stats.recordsRead,
             cleanSeconds, cleanRate))
try log.close()

// The raw limit: read the same number of bytes and write as many, 1 MiB at a time.
let source = directory + "/raw.in"
let copy = directory + "/raw.out"
do {
    let descriptor = open(source, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var chunk = [UInt8](repeating: 0x5A, count: 1 << 20)
    var done: Int64 = 0
    while done < stats.bytesRead {
        let count = Int(min(Int64(chunk.count), stats.bytesRead - done))
        _ = chunk.withUnsafeMutableBytes { pwrite(descriptor, $0.baseAddress, count, off_t(done)) }
        done += Int64(count)
    }
    fdatasync(descriptor)
    close(descriptor)
}
let rawStart = ContinuousClock.now
do {
    let input = open(source, O_RDONLY)
    let output = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var done: Int64 = 0
    while true {
        let got = chunk.withUnsafeMutableBytes { pread(input, $0.baseAddress, $0.count, off_t(done)) }
        if got <= 0 { break }
        _ = chunk.withUnsafeBytes { pwrite(output, $0.baseAddress, got, off_t(done)) }
        done += Int64(got)
    }
    fdatasync(output)
    close(input)
    close(output)
}
let rawSeconds = seconds(ContinuousClock.now - rawStart)
let rawRate = Double(stats.bytesRead) / 1e6 / rawSeconds
print(String(format: "raw read+write of %.1f MB: %.2f s: %.1f MB/s; cleaner at %.0f%% of it",
             Double(stats.bytesRead) / 1e6, rawSeconds, rawRate, 100 * cleanRate / rawRate))
