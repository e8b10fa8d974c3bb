// Open time after an unclean shutdown (the on-disk state `kill -9` leaves: data written,
// no clean-shutdown record), for a log with many closed segments and a small tail, and
// for a log whose unflushed active segment is large.
//
//   RecoveryBench <directory> <closed GiB> <tail MiB>
import Basalt
import Glibc

let arguments = CommandLine.arguments
guard arguments.count == 4, let closedGiB = Int(arguments[2]), let tailMiB = Int(arguments[3]) else {
    print("usage: RecoveryBench <directory> <closed GiB> <tail MiB>")
    exit(2)
}
let directory = arguments[1]
var config = LogConfig()
config.segmentBytes = 1 << 30
config.durability = .os
config.retentionMs = -1

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let value = [UInt8](repeating: 0x5A, count: 1024)
let records = (0..<1000).map { Record(key: Array("key-\($0)".utf8), value: value, timestamp: 1_700_000_000_000 + Int64($0)) }
let batch = try RecordBatchEncoder.encode(records, timestamp: 1_700_000_000_000)
let target = Int64(closedGiB) << 30 + Int64(tailMiB) << 20
do {
    let log = try PartitionLog(directory: directory, config: config)
    var written: Int64 = 0
    let start = ContinuousClock.now
    while written < target {
        try await log.append(encodedBatch: batch)
        written += Int64(batch.count)
    }
    print("wrote \(written >> 20) MiB in \(log.segmentCount) segments in \(seconds(ContinuousClock.now - start)) s")
    // Dropped without close(): the files are as a kill -9 leaves them.
}
sync()
let start = ContinuousClock.now
let reopened = try PartitionLog(directory: directory, config: config)
let elapsed = seconds(ContinuousClock.now - start)
let report = reopened.openReport
print("open after unclean shutdown: \(elapsed) s, clean \(report.wasClean), segments scanned \(report.recoveredSegments), segments \(reopened.segmentCount), log end \(reopened.logEndOffset)")
try reopened.close()
let cleanStart = ContinuousClock.now
let again = try PartitionLog(directory: directory, config: config)
print("open after clean close: \(seconds(ContinuousClock.now - cleanStart)) s")
try again.close()
