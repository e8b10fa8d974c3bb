// Read: hot reads (segment files in the page cache) of a ~70 MB log of 1,000 × 100 B
// batches, uncompressed and LZ4. Three ways over the same files in the same process:
// readRecords (pread, CRC check, LZ4, decode into ConsumerRecords), forEachRecord (the
// same checks, records visited in place in a reused buffer), read() slices plus
// a pread of their bytes (what a broker hands to sendfile), and a plain sequential
// read(2) of the segment files as the reference.
import Basalt
import BenchFigures
import BenchSupport
import Benchmark
import Glibc

let batchCount = 600
let recordsPerBatch = 1_000
let valueBytes = 100

struct ReadFixture: Sendable {
    let directory: String
    let log: PartitionLog
    let segmentFiles: [String]
    let fileBytes: Int
    let records: Int
    let payloadBytes: Int
}

/// Writes the log once per benchmark (setup), then reads it back once so every page
/// is resident before the first measured iteration.
func makeLog(_ codec: CompressionCodec) async throws -> ReadFixture {
    let directory = try Scratch.makeDirectory("read-\(codec)")
    let partition = directory + "/p0"
    var config = LogConfig()
    config.durability = .os
    let log = try PartitionLog(directory: partition, config: config)
    // Different seeds per batch, so LZ4 cannot lean on one batch repeated 600 times.
    var payload = 0
    for batch in 0..<batchCount {
        let records = Workload.records(count: recordsPerBatch, valueBytes: valueBytes, seed: UInt64(batch))
        payload += Workload.payloadBytes(records)
        try await log.append(records, compression: codec)
    }
    let files = try Scratch.files(in: partition, suffix: ".log")
    let fixture = ReadFixture(
        directory: directory, log: log, segmentFiles: files, fileBytes: Int(log.sizeInBytes),
        records: batchCount * recordsPerBatch, payloadBytes: payload)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
    defer { buffer.deallocate() }
    _ = try plainRead(fixture.segmentFiles, chunkBytes: 1 << 20, buffer: buffer)
    return fixture
}

/// Sequential read(2) of every file in `chunkBytes` pieces; returns the bytes read.
func plainRead(_ paths: [String], chunkBytes: Int, buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    var total = 0
    for path in paths {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemCallError(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        while true {
            let got = read(descriptor, buffer.baseAddress, chunkBytes)
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(operation: "read", path: path, errno: errno)
            }
            if got == 0 { break }
            total += got
        }
    }
    return total
}

let benchmarks: @Sendable () -> Void = {
    let figures = [Figure.megabytesPerSecond, Figure.payloadMegabytesPerSecond, Figure.recordsPerSecond]

    func readBenchmark(
        _ name: String, codec: CompressionCodec, chunkBytes: Int,
        _ body: @escaping @Sendable (ReadFixture, UnsafeMutableRawBufferPointer) throws -> (bytes: Int, records: Int)
    ) {
        let fixture = Fixture<ReadFixture>()
        Benchmark(
            "\(name) \(codec) \(chunkBytes >> 10)KiB",
            configuration: Figure.configuration(figures, extra: [.mallocCountTotal], maxDuration: .seconds(3), maxIterations: 500),
            closure: { benchmark in
                let fixture = fixture.value
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 4096)
                defer { buffer.deallocate() }
                benchmark.startMeasurement()
                let start = monotonicNanoseconds()
                let (bytes, records) = try body(fixture, buffer)
                let elapsed = monotonicNanoseconds() - start
                benchmark.stopMeasurement()
                guard bytes == fixture.fileBytes, records == fixture.records else {
                    benchmark.error("read \(bytes) bytes and \(records) records, expected \(fixture.fileBytes) and \(fixture.records)")
                    return
                }
                benchmark.recordMegabytesPerSecond(bytes, nanoseconds: elapsed)
                benchmark.recordMegabytesPerSecond(fixture.payloadBytes, nanoseconds: elapsed, as: Figure.payloadMegabytesPerSecond)
                benchmark.recordPerSecond(records, nanoseconds: elapsed, as: Figure.recordsPerSecond)
            },
            setup: { fixture.set(try await makeLog(codec)) },
            teardown: {
                if let open = fixture.take() { try discardLog(open.log, directory: open.directory) }
            })
    }

    for codec in [CompressionCodec.none, .lz4] {
        for chunkBytes in [1 << 20, 128 << 10] {
            // The embedded consumer: every record CRC-checked, decompressed and decoded.
            readBenchmark("read readRecords", codec: codec, chunkBytes: chunkBytes) { fixture, _ in
                let log = fixture.log
                var offset = log.logStartOffset
                let end = log.logEndOffset
                var records = 0
                while offset < end {
                    let batch = try log.readRecords(from: offset, maxBytes: chunkBytes)
                    guard let last = batch.last else { break }
                    records += batch.count
                    offset = last.offset + 1
                    blackHole(batch)
                }
                return (fixture.fileBytes, records)
            }

            // The embedded consumer's fast path: the same records visited in place in a
            // reused buffer (PartitionLog.forEachRecord): CRC-checked, decompressed, decoded.
            readBenchmark("read forEachRecord", codec: codec, chunkBytes: chunkBytes) { fixture, _ in
                let log = fixture.log
                var offset = log.logStartOffset
                let end = log.logEndOffset
                var records = 0
                var valueBytes = 0
                while offset < end {
                    offset = try log.forEachRecord(from: offset, maxBytes: chunkBytes) { record in
                        records += 1
                        valueBytes &+= record.value?.count ?? 0
                    }
                }
                blackHole(valueBytes)
                return (fixture.fileBytes, records)
            }

            // The broker's path: locate whole batches, then move their bytes (here pread).
            readBenchmark("read slices+pread", codec: codec, chunkBytes: chunkBytes) { fixture, buffer in
                let log = fixture.log
                var offset = log.logStartOffset
                let end = log.logEndOffset
                var bytes = 0
                var records = 0
                while offset < end {
                    let slices = try log.read(from: offset, maxBytes: chunkBytes)
                    guard !slices.isEmpty else { break }
                    for slice in slices {
                        precondition(slice.length <= buffer.count, "a batch larger than the read buffer")
                        var done = 0
                        while done < slice.length {
                            let got = pread(slice.file.descriptor, buffer.baseAddress! + done, slice.length - done,
                                            off_t(slice.position) + off_t(done))
                            if got < 0 && errno == EINTR { continue }
                            guard got > 0 else { throw SystemCallError(operation: "pread", path: slice.file.path, errno: errno) }
                            done += got
                        }
                        bytes += slice.length
                        records += Int(slice.lastOffset - max(slice.firstOffset, offset) + 1)
                        offset = slice.lastOffset + 1
                    }
                }
                return (bytes, records)
            }

            // The reference: the same segment files read front to back with read(2).
            readBenchmark("read plain read(2)", codec: codec, chunkBytes: chunkBytes) { fixture, buffer in
                (try plainRead(fixture.segmentFiles, chunkBytes: chunkBytes, buffer: buffer), fixture.records)
            }
        }
    }
}
