// Append: through PartitionLog.append, the public API (encode, CRC, pwrite, index).
// Page-cache appends (Durability.os) of 1,000 × 100 B batches, uncompressed and LZ4;
// 1 GiB of 1,000 × 1 KiB batches side by side with 1 GiB of raw pwrites; fsync'd
// appends (Durability.everyAppend) of a small batch from 1 and from 8 concurrent
// tasks, interleaved with raw fdatasyncs, with per-append latency.
//
// Why page-cache state and write size matter on this VM: PageCache.swift.
import Basalt
import BenchFigures
import BenchSupport
import Benchmark
import Glibc
import Synchronization

struct OpenLog: Sendable {
    let directory: String
    let log: PartitionLog
}

/// A fresh log in a scratch directory on the checkout's file system.
func openLog(_ name: String, durability: Durability) throws -> OpenLog {
    let directory = try Scratch.makeDirectory(name)
    var config = LogConfig()
    config.durability = durability
    // One segment for the whole benchmark: a roll syncs the sealed segment, which under
    // Durability.os would put a gigabyte of writeback into one iteration. Its amortised
    // cost is a separate question from append throughput (see docs/benchmarks.md).
    config.segmentBytes = Int(Int32.max)
    config.maxMessageBytes = 4 << 20
    return OpenLog(directory: directory, log: try PartitionLog(directory: directory + "/p0", config: config))
}

/// Deletes the log and its files without writing their dirty pages (see `discardLog`).
func discard(_ open: OpenLog?) throws {
    guard let open else { return }
    try discardLog(open.log, directory: open.directory)
}

let benchmarks: @Sendable () -> Void = {
    let rateFigures = [Figure.recordsPerSecond, Figure.megabytesPerSecond, Figure.payloadMegabytesPerSecond]

    // MARK: 1,000 × 100 B batches into the page cache (Durability.os)

    func smallRecordAppend(codec: CompressionCodec) {
        let fixture = Fixture<OpenLog>()
        let records = Workload.records(count: 1_000, valueBytes: 100)
        let payload = Workload.payloadBytes(records)
        let batchesPerIteration = 10
        Benchmark(
            "append os 1000x100B \(codec)",
            // ~1.1 MB per iteration uncompressed, at most ~450 MB in all.
            configuration: Figure.configuration(rateFigures, maxDuration: .seconds(4), maxIterations: 400),
            closure: { benchmark in
                let log = fixture.value.log
                let sizeBefore = log.sizeInBytes
                let start = monotonicNanoseconds()
                for _ in 0..<batchesPerIteration {
                    try await log.append(records, compression: codec)
                }
                let elapsed = monotonicNanoseconds() - start
                benchmark.recordPerSecond(batchesPerIteration * records.count, nanoseconds: elapsed, as: Figure.recordsPerSecond)
                benchmark.recordMegabytesPerSecond(Int(log.sizeInBytes - sizeBefore), nanoseconds: elapsed)
                benchmark.recordMegabytesPerSecond(batchesPerIteration * payload, nanoseconds: elapsed,
                                                   as: Figure.payloadMegabytesPerSecond)
            },
            setup: { fixture.set(try openLog("append", durability: .os)) },
            teardown: { try discard(fixture.take()) })
    }
    smallRecordAppend(codec: .none)
    smallRecordAppend(codec: .lz4)

    // MARK: 1 GiB of 1,000 × 1 KiB batches against raw pwrites of 1 GiB, side by side

    // Each iteration writes 1 GiB three times, each into a new file after a settle (see
    // PageCache.swift), in rotating order:
    // - append: PartitionLog.append of 1,000 × 1 KiB records, ~1.04 MB batches;
    // - pwrite 1 MiB: plain 1 MiB pwrites at 1 MiB offsets, what `dd bs=1M` does;
    // - pwrite same size: plain pwrites of one encoded batch's bytes at the offsets the
    //   log writes them, so the kernel sees exactly the append's write pattern.
    // The second reference matters on this VM: write size and alignment decide the page
    // cache's folio size, and 1 MiB-aligned writes (large folios) run several times
    // slower than unaligned ~1 MB writes once freed memory has gone back to the host.
    do {
        let records = Workload.records(count: 1_000, valueBytes: 1_024)
        let totalBytes = 1 << 30
        let blockBytes = 1 << 20
        var generator = SeededGenerator(seed: 3)
        let block = generator.bytes(blockBytes)
        let batchBytes: [UInt8]
        do {
            batchBytes = try RecordBatchEncoder.encode(records, timestamp: Workload.timestampMs)
        } catch {
            preconditionFailure("cannot encode the reference batch: \(error)")
        }
        let appendRate = BenchmarkMetric.custom("append MB/s", polarity: .prefersLarger, useScalingFactor: false)
        let recordRate = BenchmarkMetric.custom("append records/s", polarity: .prefersLarger, useScalingFactor: false)
        let blockRate = BenchmarkMetric.custom("pwrite 1MiB MB/s", polarity: .prefersLarger, useScalingFactor: false)
        let sameRate = BenchmarkMetric.custom("pwrite same-size MB/s", polarity: .prefersLarger, useScalingFactor: false)
        let blockRatio = BenchmarkMetric.custom("append/pwrite 1MiB %", polarity: .prefersLarger, useScalingFactor: false)
        let sameRatio = BenchmarkMetric.custom("append/pwrite same-size %", polarity: .prefersLarger, useScalingFactor: false)

        /// Appends 1 GiB to a new log; returns bytes, records and nanoseconds.
        func appendGibibyte() async throws -> (bytes: Int, records: Int, nanoseconds: UInt64) {
            let open = try openLog("append-gib", durability: .os)
            defer { try? discard(open) }
            var appended = 0
            let start = monotonicNanoseconds()
            while open.log.sizeInBytes < Int64(totalBytes) {
                try await open.log.append(records)
                appended += records.count
            }
            let elapsed = monotonicNanoseconds() - start
            return (Int(open.log.sizeInBytes), appended, elapsed)
        }

        /// Writes `chunk` back to back into a new file until it holds 1 GiB, then closes
        /// it, as dd does; returns bytes and nanoseconds.
        func pwriteGibibyte(_ chunk: [UInt8]) throws -> (bytes: Int, nanoseconds: UInt64) {
            let directory = try Scratch.makeDirectory("pwrite-gib")
            defer { try? Scratch.removeTree(directory) }
            let path = directory + "/file"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw SystemCallError(operation: "open", path: path, errno: errno) }
            var written = 0
            let start = monotonicNanoseconds()
            try chunk.withUnsafeBytes { raw in
                while written < totalBytes {
                    try writeAll(descriptor, raw, at: written)
                    written += raw.count
                }
            }
            close(descriptor)
            return (written, monotonicNanoseconds() - start)
        }

        Benchmark(
            "append 1000x1KiB vs raw pwrite, 1 GiB each, side by side",
            configuration: Figure.configuration(
                [appendRate, recordRate, blockRate, sameRate, blockRatio, sameRatio],
                warmupIterations: 0, maxDuration: .seconds(90), maxIterations: 3),
            closure: { benchmark in
                var appended = (bytes: 0, records: 0, nanoseconds: UInt64(1))
                var blocks = (bytes: 0, nanoseconds: UInt64(1))
                var same = (bytes: 0, nanoseconds: UInt64(1))
                for step in 0..<3 {
                    PageCache.settle()
                    switch (step + benchmark.currentIteration) % 3 {
                    case 0: appended = try await appendGibibyte()
                    case 1: blocks = try pwriteGibibyte(block)
                    default: same = try pwriteGibibyte(batchBytes)
                    }
                }
                benchmark.recordMegabytesPerSecond(appended.bytes, nanoseconds: appended.nanoseconds, as: appendRate)
                benchmark.recordPerSecond(appended.records, nanoseconds: appended.nanoseconds, as: recordRate)
                benchmark.recordMegabytesPerSecond(blocks.bytes, nanoseconds: blocks.nanoseconds, as: blockRate)
                benchmark.recordMegabytesPerSecond(same.bytes, nanoseconds: same.nanoseconds, as: sameRate)
                let appendSpeed = Double(appended.bytes) / Double(appended.nanoseconds)
                benchmark.measurement(blockRatio, Int(100 * appendSpeed / (Double(blocks.bytes) / Double(blocks.nanoseconds))))
                benchmark.measurement(sameRatio, Int(100 * appendSpeed / (Double(same.bytes) / Double(same.nanoseconds))))
            })
    }

    // MARK: fsync'd appends (Durability.everyAppend) against raw fdatasync, interleaved

    // Each iteration runs three rounds on the same file system, in rotating order:
    // - raw: 20 × (pwrite 4 KiB at the end of a plain file, fdatasync), fio's fsync test;
    // - 1 appender: 20 appends of a 10 × 100 B batch, each returning after its fdatasync;
    // - 8 appenders: 8 tasks × 20 such appends, sharing fdatasyncs (group commit).
    // Interleaving puts the reference and both appender counts in the same noise.
    do {
        let fixture = Fixture<SyncedFixture>()
        let records = Workload.records(count: 10, valueBytes: 100)
        let roundLength = 20
        var generator = SeededGenerator(seed: 4)
        let rawBlock = generator.bytes(4 << 10)
        let oneRate = BenchmarkMetric.custom("1 appender appends/s", polarity: .prefersLarger, useScalingFactor: false)
        let eightRate = BenchmarkMetric.custom("8 appenders appends/s", polarity: .prefersLarger, useScalingFactor: false)
        let scaling = BenchmarkMetric.custom("8/1 appenders %", polarity: .prefersLarger, useScalingFactor: false)
        let oneLatency = BenchmarkMetric.custom("1 appender latency us", polarity: .prefersSmaller, useScalingFactor: false)
        let eightLatency = BenchmarkMetric.custom("8 appenders latency us", polarity: .prefersSmaller, useScalingFactor: false)
        let rawLatency = BenchmarkMetric.custom("raw fdatasync us", polarity: .prefersSmaller, useScalingFactor: false)

        /// `appenders` tasks × `roundLength` appends; returns every latency and the round's time.
        func appendRound(_ log: PartitionLog, appenders: Int) async throws -> ([UInt64], UInt64) {
            let start = monotonicNanoseconds()
            let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for _ in 0..<appenders {
                    group.addTask {
                        var mine: [UInt64] = []
                        mine.reserveCapacity(roundLength)
                        for _ in 0..<roundLength {
                            let before = monotonicNanoseconds()
                            try await log.append(records)
                            mine.append(monotonicNanoseconds() - before)
                        }
                        return mine
                    }
                }
                var all: [UInt64] = []
                for try await mine in group { all += mine }
                return all
            }
            return (latencies, monotonicNanoseconds() - start)
        }

        Benchmark(
            "append everyAppend 10x100B, 1 and 8 appenders, raw fdatasync interleaved",
            configuration: Figure.configuration(
                [oneRate, eightRate, scaling, oneLatency, eightLatency, rawLatency],
                warmupIterations: 2, maxDuration: .seconds(8), maxIterations: 400),
            closure: { benchmark in
                let synced = fixture.value
                var one: ([UInt64], UInt64) = ([], 1)
                var eight: ([UInt64], UInt64) = ([], 1)
                var raw: [UInt64] = []
                for step in 0..<3 {
                    switch (step + benchmark.currentIteration) % 3 {
                    case 0:
                        one = try await appendRound(synced.log.log, appenders: 1)
                    case 1:
                        eight = try await appendRound(synced.log.log, appenders: 8)
                    default:
                        try rawBlock.withUnsafeBytes { bytes in
                            for _ in 0..<roundLength {
                                try writeAll(synced.rawDescriptor, bytes, at: synced.rawBytes.add(bytes.count))
                                let before = monotonicNanoseconds()
                                while fdatasync(synced.rawDescriptor) != 0 {
                                    guard errno == EINTR else {
                                        throw SystemCallError(operation: "fdatasync", path: "raw file", errno: errno)
                                    }
                                }
                                raw.append(monotonicNanoseconds() - before)
                            }
                        }
                    }
                }
                benchmark.recordPerSecond(one.0.count, nanoseconds: one.1, as: oneRate)
                benchmark.recordPerSecond(eight.0.count, nanoseconds: eight.1, as: eightRate)
                let oneThroughput = Double(one.0.count) / Double(one.1)
                let eightThroughput = Double(eight.0.count) / Double(eight.1)
                benchmark.measurement(scaling, Int(100 * eightThroughput / oneThroughput))
                for latency in one.0 { benchmark.measurement(oneLatency, Int((latency + 500) / 1_000)) }
                for latency in eight.0 { benchmark.measurement(eightLatency, Int((latency + 500) / 1_000)) }
                for latency in raw { benchmark.measurement(rawLatency, Int((latency + 500) / 1_000)) }
            },
            setup: {
                let log = try openLog("synced", durability: .everyAppend)
                let path = log.directory + "/raw-fdatasync"
                let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { throw SystemCallError(operation: "open", path: path, errno: errno) }
                fixture.set(SyncedFixture(log: log, rawDescriptor: descriptor, rawBytes: Counter()))
            },
            teardown: {
                guard let synced = fixture.take() else { return }
                close(synced.rawDescriptor)
                try discard(synced.log)
            })
    }
}

struct SyncedFixture: Sendable {
    let log: OpenLog
    let rawDescriptor: Int32
    /// Bytes written to the raw file so far: where the next 4 KiB append goes.
    let rawBytes: Counter
}

/// A running total shared between benchmark iterations.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// Adds `amount`; returns the total before it.
    func add(_ amount: Int) -> Int {
        value.withLock { total in
            defer { total += amount }
            return total
        }
    }
}
