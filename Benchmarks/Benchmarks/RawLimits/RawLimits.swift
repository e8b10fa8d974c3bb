// RawLimits: what the disk allows, with no Basalt code: fdatasync after a 4 KiB append
// that grows the file (fio's fsync test), on its own for a clean distribution. The
// other references run beside the store so they share its noise: raw pwrites side by
// side with the 1 KiB appends and raw fdatasyncs interleaved with everyAppend (Append
// suite), plain read(2) of the same segment files (Read suite), dd (run.sh).
import BenchFigures
import BenchSupport
import Benchmark
import Glibc

struct OpenFile: Sendable {
    let directory: String
    let descriptor: Int32
}

func openScratchFile(_ name: String) throws -> OpenFile {
    let directory = try Scratch.makeDirectory(name)
    let path = directory + "/file"
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw SystemCallError(operation: "open", path: path, errno: errno) }
    return OpenFile(directory: directory, descriptor: descriptor)
}

func closeAndDelete(_ fixture: Fixture<OpenFile>) throws {
    guard let file = fixture.take() else { return }
    close(file.descriptor)
    try Scratch.removeTree(file.directory)
}

let benchmarks: @Sendable () -> Void = {
    // fdatasync after a 4 KiB append: the file grows every time, so each sync also
    // commits the new size, as an append to a log segment does.
    do {
        let fixture = Fixture<OpenFile>()
        let appendBytes = 4 << 10
        var generator = SeededGenerator(seed: 4)
        let block = generator.bytes(appendBytes)
        let syncFigure = BenchmarkMetric.custom("write+fdatasync us", polarity: .prefersSmaller, useScalingFactor: false)
        var configuration = Figure.configuration([Figure.latencyMicroseconds, syncFigure], warmupIterations: 20,
                                                 maxDuration: .seconds(4))
        configuration.timeUnits = .microseconds
        Benchmark(
            "raw fdatasync after 4KiB append",
            configuration: configuration,
            closure: { benchmark in
                let file = fixture.value
                try block.withUnsafeBytes { raw in
                    let start = monotonicNanoseconds()
                    try writeAll(file.descriptor, raw, at: benchmark.currentIteration * appendBytes)
                    let written = monotonicNanoseconds()
                    while fdatasync(file.descriptor) != 0 {
                        guard errno == EINTR else { throw SystemCallError(operation: "fdatasync", path: "scratch file", errno: errno) }
                    }
                    let synced = monotonicNanoseconds()
                    benchmark.measurement(Figure.latencyMicroseconds, Int((synced - written + 500) / 1_000))
                    benchmark.measurement(syncFigure, Int((synced - start + 500) / 1_000))
                }
            },
            setup: { fixture.set(try openScratchFile("raw-sync")) },
            teardown: { try closeAndDelete(fixture) })
    }
}
