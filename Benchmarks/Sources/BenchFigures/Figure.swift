import Benchmark

/// The derived figures the suites report next to package-benchmark's own wall clock
/// and throughput. Each is recorded once per iteration (rates) or once per operation
/// (latencies), in the unit its name gives, never auto-scaled, so the tables and
/// `summarize.py` read the same numbers.
public enum Figure {
    /// Bytes per second, in MB/s (10^6).
    public static let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    /// Key and value bytes of the records handled per second, in MB/s (10^6); for LZ4
    /// reads, the decompressed payload.
    public static let payloadMegabytesPerSecond = BenchmarkMetric.custom(
        "payload MB/s", polarity: .prefersLarger, useScalingFactor: false)
    /// Records (messages) per second.
    public static let recordsPerSecond = BenchmarkMetric.custom("records/s", polarity: .prefersLarger, useScalingFactor: false)
    /// Latency of one operation, in microseconds.
    public static let latencyMicroseconds = BenchmarkMetric.custom("latency us", polarity: .prefersSmaller, useScalingFactor: false)

    /// A configuration with wall clock, throughput, the given figures unscaled, and a
    /// short run: `maxDuration` bounds each benchmark so the whole suite stays under
    /// ten minutes on a two-core machine.
    public static func configuration(
        _ figures: [BenchmarkMetric], extra: [BenchmarkMetric] = [], warmupIterations: Int = 3,
        maxDuration: Duration = .seconds(3), maxIterations: Int = 100_000
    ) -> Benchmark.Configuration {
        var units: [BenchmarkMetric: BenchmarkUnits] = [:]
        for figure in figures { units[figure] = .count }
        return .init(
            metrics: [.wallClock, .throughput] + extra + figures, units: units,
            warmupIterations: warmupIterations, maxDuration: maxDuration, maxIterations: maxIterations)
    }
}

extension Benchmark {
    /// Records `bytes` moved in `nanoseconds` as MB/s.
    public func recordMegabytesPerSecond(_ bytes: Int, nanoseconds: UInt64, as figure: BenchmarkMetric = Figure.megabytesPerSecond) {
        measurement(figure, Int(Double(bytes) * 1_000 / Double(max(nanoseconds, 1))))
    }

    /// Records `count` items handled in `nanoseconds` as items per second.
    public func recordPerSecond(_ count: Int, nanoseconds: UInt64, as figure: BenchmarkMetric) {
        measurement(figure, Int(Double(count) * 1_000_000_000 / Double(max(nanoseconds, 1))))
    }
}
