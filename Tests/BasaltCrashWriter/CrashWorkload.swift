import Basalt

/// The deterministic workload of the crash test, shared by the child process that
/// appends it and the test that checks what survived a `kill -9`.
///
/// Each batch is derived from one 64-bit seed: how many records (1–20), their keys,
/// values (0–600 bytes, some compressible, some null), headers, timestamps and whether
/// the batch is LZ4-compressed. The child prints `<baseOffset> <lastOffset> <batchSeed>`
/// for every acknowledged append; the test regenerates the batch from the seed and
/// compares it record by record with what the log holds.
public enum CrashWorkload {
    /// Timestamps of generated records start here (2023-11-14T22:13:20Z).
    public static let baseTimestampMs: Int64 = 1_700_000_000_000

    /// The log settings of the crash test: ``Durability/everyAppend`` and 64 KiB
    /// segments, so a run of a few hundred milliseconds rolls several times.
    public static var config: LogConfig {
        var config = LogConfig()
        config.segmentBytes = 64 << 10
        config.indexIntervalBytes = 4096
        config.maxIndexBytes = 4096
        config.retentionMs = -1
        config.durability = .everyAppend
        return config
    }

    /// One generated batch.
    public struct Batch: Sendable, Equatable {
        /// The records, in order.
        public var records: [Record]
        /// How the batch is compressed.
        public var compression: CompressionCodec
    }

    /// The seed of the `sequence`-th batch appended by writer task `writer` of a child
    /// started with `runSeed`. Distinct inputs give distinct seeds in practice.
    public static func batchSeed(runSeed: UInt64, writer: Int, sequence: Int) -> UInt64 {
        var generator = WorkloadRandom(seed: runSeed ^ (UInt64(truncatingIfNeeded: writer) &* 0xD1B5_4A32_D192_ED03))
        let mixed = generator.next() ^ UInt64(truncatingIfNeeded: sequence)
        var second = WorkloadRandom(seed: mixed)
        return second.next()
    }

    /// The batch a seed stands for. Pure: the same seed gives the same batch.
    public static func batch(seed: UInt64) -> Batch {
        var random = WorkloadRandom(seed: seed)
        let count = 1 + random.below(20)
        let compression: CompressionCodec = random.below(3) == 0 ? .lz4 : .none
        var records: [Record] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            let key: [UInt8]? = random.below(8) == 0 ? nil : Array("k-\(seed)-\(index)".utf8)
            let value: [UInt8]?
            switch random.below(10) {
            case 0:
                value = nil
            case 1, 2, 3:
                // Compressible: a short pattern repeated.
                let length = random.below(601)
                let pattern = UInt8(truncatingIfNeeded: random.next())
                value = (0..<length).map { pattern &+ UInt8(truncatingIfNeeded: $0 % 7) }
            default:
                let length = random.below(601)
                value = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            var headers: [RecordHeader] = []
            if random.below(4) == 0 {
                headers.append(RecordHeader(key: "h\(index)", value: random.below(2) == 0 ? nil : Array("v\(seed)".utf8)))
            }
            let timestamp = baseTimestampMs + Int64(random.below(100_000))
            records.append(Record(key: key, value: value, headers: headers, timestamp: timestamp))
        }
        return Batch(records: records, compression: compression)
    }
}

/// SplitMix64: small, fast and the same on every platform, so a batch seed means the
/// same records in the child and in the test.
public struct WorkloadRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (`bound` > 0), with a modulo bias too small to matter here.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "empty range")
        return Int(next() % UInt64(bound))
    }
}

/// The settings and limits of the `--topic-changes` mode, shared with its test.
public enum TopicChangeWorkload {
    /// Small segments, every-append durability, no time-based retention.
    public static var config: LogConfig {
        var config = LogConfig()
        config.segmentBytes = 4096
        config.maxIndexBytes = 4096
        config.retentionMs = -1
        config.durability = .everyAppend
        return config
    }

    /// The topic stops growing here, so a reopen stays quick.
    public static let maxPartitions: Int32 = 48

    /// The retention size a settings change at `step` sets.
    public static func retentionBytes(step: UInt64) -> Int64 {
        Int64(4096 * (1 + step % 50))
    }
}
