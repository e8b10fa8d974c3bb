// Codec: the CPU-only paths of a batch. CRC-32C on 64 KiB (hardware and portable),
// encoding 1,000 × 100 B records uncompressed and in each codec (gzip, snappy, LZ4,
// zstd), and decoding such a batch with its CRC checked into ConsumerRecords.
import Basalt
import BenchFigures
import BenchSupport
import Benchmark
import CCRC32C

let benchmarks: @Sendable () -> Void = {
    let crcBlockBytes = 64 << 10
    let recordsPerBatch = 1_000
    let valueBytes = 100

    // CRC-32C: one iteration checksums `rounds` independent 64 KiB buffers.
    func crcBenchmark(_ name: String, rounds: Int, _ checksum: @escaping @Sendable (UnsafeRawBufferPointer, UInt32) -> UInt32) {
        Benchmark(name, configuration: Figure.configuration([Figure.megabytesPerSecond])) { benchmark in
            var generator = SeededGenerator(seed: 7)
            let block = generator.bytes(crcBlockBytes)
            block.withUnsafeBytes { raw in
                var crc: UInt32 = 0
                let start = monotonicNanoseconds()
                for _ in 0..<rounds { crc = checksum(raw, crc) }
                let elapsed = monotonicNanoseconds() - start
                blackHole(crc)
                benchmark.recordMegabytesPerSecond(rounds * crcBlockBytes, nanoseconds: elapsed)
            }
        }
    }
    crcBenchmark("CRC-32C 64KiB (Basalt: SSE4.2, 3 streams)", rounds: 256) { CRC32C.checksum($0, continuing: $1) }
    crcBenchmark("CRC-32C 64KiB (portable slicing-by-8)", rounds: 32) { basalt_crc32c_portable($1, $0.baseAddress, $0.count) }

    // Encoding: one iteration encodes `batches` batches of the same 1,000 records.
    for codec in CompressionCodec.allCases {
        let batches = codec == .none ? 20 : 5
        Benchmark(
            "encode 1000x100B \(codec)",
            configuration: Figure.configuration([Figure.recordsPerSecond, Figure.payloadMegabytesPerSecond], extra: [.mallocCountTotal])
        ) { benchmark in
            let records = Workload.records(count: recordsPerBatch, valueBytes: valueBytes)
            let payload = Workload.payloadBytes(records)
            benchmark.startMeasurement()
            let start = monotonicNanoseconds()
            for _ in 0..<batches {
                blackHole(try RecordBatchEncoder.encode(records, compression: codec, timestamp: Workload.timestampMs))
            }
            let elapsed = monotonicNanoseconds() - start
            benchmark.recordPerSecond(batches * recordsPerBatch, nanoseconds: elapsed, as: Figure.recordsPerSecond)
            benchmark.recordMegabytesPerSecond(batches * payload, nanoseconds: elapsed, as: Figure.payloadMegabytesPerSecond)
        }
    }

    // Decoding: parse the header, check the CRC, decompress if needed, and decode every
    // record into a ConsumerRecord (key and value stay slices of the batch buffer). The
    // compressed codecs compare decompression throughput (gzip slowest, LZ4 fastest).
    for codec in CompressionCodec.allCases {
        let batches = codec == .none ? 20 : 5
        Benchmark(
            "decode+CRC 1000x100B \(codec)",
            configuration: Figure.configuration([Figure.recordsPerSecond, Figure.payloadMegabytesPerSecond], extra: [.mallocCountTotal])
        ) { benchmark in
            let records = Workload.records(count: recordsPerBatch, valueBytes: valueBytes)
            let payload = Workload.payloadBytes(records)
            let encoded = try RecordBatchEncoder.encode(records, compression: codec, timestamp: Workload.timestampMs)
            benchmark.startMeasurement()
            let start = monotonicNanoseconds()
            var decoded = 0
            for _ in 0..<batches {
                let consumerRecords = try RecordBatch(storage: encoded).records()
                decoded += consumerRecords.count
                blackHole(consumerRecords)
            }
            let elapsed = monotonicNanoseconds() - start
            guard decoded == batches * recordsPerBatch else {
                benchmark.error("decoded \(decoded) records, expected \(batches * recordsPerBatch)")
                return
            }
            benchmark.recordPerSecond(decoded, nanoseconds: elapsed, as: Figure.recordsPerSecond)
            benchmark.recordMegabytesPerSecond(batches * payload, nanoseconds: elapsed, as: Figure.payloadMegabytesPerSecond)
        }
    }
}
