// A plain loop over one benchmark workload, for profilers (perf, valgrind) that need a
// process doing only that. Not run by `swift package benchmark`.
//
//   BenchProfile read-records none 1024 10    # workload, codec, read size KiB, seconds
//   BenchProfile read-slices none 128 10      # read() slices + pread of their bytes
//   BenchProfile decode lz4 0 10
//   BenchProfile encode none 0 10
//   BenchProfile append-os none 100 10        # codec, value bytes; one growing log
//   BenchProfile append-gib none 1024 10      # 1 GiB logs, deleted and made again
//   BenchProfile synced 8 0 10                # appenders
//
// e.g. perf record -e cpu-clock -g .build/release/BenchProfile read-records none 1024 10
import Basalt
import BenchSupport
import Glibc

let arguments = CommandLine.arguments
guard arguments.count == 5, let number = Int(arguments[3]), let seconds = UInt64(arguments[4]) else {
    print("usage: BenchProfile <read-records|read-slices|decode|encode|append-os|append-gib|synced> <none|lz4|appenders> <KiB|value bytes> <seconds>")
    exit(2)
}
let workload = arguments[1]
let codec: CompressionCodec = arguments[2] == "lz4" ? .lz4 : .none
let deadline = monotonicNanoseconds() + seconds * 1_000_000_000
var operations = 0
var records = 0
let start = monotonicNanoseconds()

func openLog(_ durability: Durability) throws -> (String, PartitionLog) {
    let directory = try Scratch.makeDirectory("profile")
    var config = LogConfig()
    config.durability = durability
    config.segmentBytes = Int(Int32.max)
    config.maxMessageBytes = 4 << 20
    return (directory, try PartitionLog(directory: directory + "/p0", config: config))
}

switch workload {
case "read-records":
    let (directory, log) = try openLog(.os)
    for batch in 0..<600 {
        try await log.append(Workload.records(count: 1_000, valueBytes: 100, seed: UInt64(batch)), compression: codec)
    }
    while monotonicNanoseconds() < deadline {
        var offset = log.logStartOffset
        while offset < log.logEndOffset {
            let batch = try log.readRecords(from: offset, maxBytes: number << 10)
            records += batch.count
            offset = batch.last!.offset + 1
        }
        operations += 1
    }
    try discardLog(log, directory: directory)
case "read-slices":
    let (directory, log) = try openLog(.os)
    for batch in 0..<600 {
        try await log.append(Workload.records(count: 1_000, valueBytes: 100, seed: UInt64(batch)), compression: codec)
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 4096)
    while monotonicNanoseconds() < deadline {
        var offset = log.logStartOffset
        while offset < log.logEndOffset {
            for slice in try log.read(from: offset, maxBytes: number << 10) {
                var done = 0
                while done < slice.length {
                    let got = pread(slice.file.descriptor, buffer.baseAddress! + done, slice.length - done,
                                    off_t(slice.position) + off_t(done))
                    guard got > 0 else { break }
                    done += got
                }
                records += Int(slice.lastOffset - max(slice.firstOffset, offset) + 1)
                offset = slice.lastOffset + 1
            }
        }
        operations += 1
    }
    buffer.deallocate()
    try discardLog(log, directory: directory)
case "decode":
    let encoded = try RecordBatchEncoder.encode(
        Workload.records(count: 1_000, valueBytes: 100), compression: codec, timestamp: Workload.timestampMs)
    while monotonicNanoseconds() < deadline {
        records += try RecordBatch(storage: encoded).records().count
        operations += 1
    }
case "encode":
    let batch = Workload.records(count: 1_000, valueBytes: 100)
    while monotonicNanoseconds() < deadline {
        records += try RecordBatchEncoder.encode(batch, compression: codec, timestamp: Workload.timestampMs).count > 0 ? batch.count : 0
        operations += 1
    }
case "append-os":
    let (directory, log) = try openLog(.os)
    let batch = Workload.records(count: 1_000, valueBytes: number)
    while monotonicNanoseconds() < deadline {
        try await log.append(batch, compression: codec)
        records += batch.count
        operations += 1
    }
    try discardLog(log, directory: directory)
case "append-gib":
    // 1 GiB into a new log, deleted, again (freed pages are reused right away).
    let batch = Workload.records(count: 1_000, valueBytes: number)
    while monotonicNanoseconds() < deadline {
        let (directory, log) = try openLog(.os)
        while log.sizeInBytes < 1 << 30 {
            try await log.append(batch, compression: codec)
            records += batch.count
            operations += 1
        }
        try discardLog(log, directory: directory)
    }
case "synced":
    let (directory, log) = try openLog(.everyAppend)
    let batch = Workload.records(count: 10, valueBytes: 100)
    let appenders = Int(arguments[2]) ?? 1
    operations = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<appenders {
            group.addTask {
                var mine = 0
                while monotonicNanoseconds() < deadline {
                    try await log.append(batch)
                    mine += 1
                }
                return mine
            }
        }
        var total = 0
        for try await mine in group { total += mine }
        return total
    }
    records = operations * batch.count
    try discardLog(log, directory: directory)
default:
    print("unknown workload \(workload)")
    exit(2)
}
let elapsed = Double(monotonicNanoseconds() - start) / 1e9
print("\(workload) \(arguments[2]) \(number): \(operations) operations, \(Int(Double(records) / elapsed)) records/s over \(Double(Int(elapsed * 10)) / 10) s")
