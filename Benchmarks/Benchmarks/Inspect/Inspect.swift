// Inspect: `basalt-inspect verify` of a 256 MiB partition (1,000 × 1 KiB batches) from
// the page cache, through the library the executable calls: every batch's bounds and
// CRC, every index entry against the log. Bar: ≥ 1 GB/s, memory flat in file size.
import Basalt
import BasaltInspect
import BenchFigures
import BenchSupport
import Benchmark

let benchmarks: @Sendable () -> Void = {
    let batches = 256

    Benchmark(
        "verify 256MiB partition",
        configuration: Figure.configuration([Figure.megabytesPerSecond], extra: [.peakMemoryResident])
    ) { benchmark in
        let directory = try Scratch.makeDirectory("inspect")
        defer { try? Scratch.removeTree(directory) }
        let partition = directory + "/bench-0"
        var config = LogConfig()
        config.durability = .os
        let records = Workload.records(count: 1_000, valueBytes: 1_024)
        let batch = try RecordBatchEncoder.encode(records, timestamp: Workload.timestampMs)
        do {
            let log = try PartitionLog(directory: partition, config: config)
            for _ in 0..<batches { try await log.append(encodedBatch: batch) }
            try log.close()
        }
        // One pass to bring the files into the page cache, as the bar is for hot data.
        _ = try Verify(path: partition).check()
        benchmark.startMeasurement()
        let start = monotonicNanoseconds()
        let outcome = try Verify(path: partition).check()
        let elapsed = monotonicNanoseconds() - start
        benchmark.stopMeasurement()
        precondition(outcome.problemCount == 0, "verify found problems in a fresh partition")
        benchmark.recordMegabytesPerSecond(Int(outcome.bytes), nanoseconds: elapsed)
    }
}
