/// Per-topic settings of a partition log. Units are in the names.
public struct LogConfig: Sendable, Hashable, Codable {
    /// A segment rolls when the next batch would take it past this size. Default 1 GiB;
    /// at most 2 GiB − 1, since index positions are 32-bit.
    public var segmentBytes: Int = 1 << 30
    /// A non-empty segment rolls when its first batch is older than this. Default 7 days.
    public var segmentMs: Int64 = 7 * 24 * 3_600_000
    /// Bytes appended between two sparse index entries. Default 4096.
    public var indexIntervalBytes: Int = 4096
    /// Size each index file is preallocated to; a full index rolls the segment. Default 10 MiB.
    public var maxIndexBytes: Int = 10 << 20
    /// Largest batch accepted, header included (Kafka's `max.message.bytes`). Default 1 MiB + 12.
    public var maxMessageBytes: Int = 1_048_588
    /// Closed segments are deleted while the partition would stay above this size; −1 keeps all.
    public var retentionBytes: Int64 = -1
    /// Closed segments whose newest record is older than this are deleted; −1 keeps all. Default 7 days.
    public var retentionMs: Int64 = 7 * 24 * 3_600_000
    /// When appends reach stable storage. Default ``Durability/everyAppend``.
    public var durability: Durability = .everyAppend
    /// What happens to old closed segments: deleted by retention, compacted by key, or
    /// both (Kafka's `cleanup.policy`). Default ``CleanupPolicy/delete``.
    public var cleanupPolicy: CleanupPolicy = .delete
    /// A compacted partition is cleaned once the bytes written since its last clean are at
    /// least this share of its closed segments (Kafka's `min.cleanable.dirty.ratio`). Default 0.5.
    public var minCleanableDirtyRatio: Double = 0.5
    /// Records younger than this are never compacted (Kafka's `min.compaction.lag.ms`). Default 0.
    public var minCompactionLagMs: Int64 = 0
    /// A record stays uncompacted at most this long, whatever the dirty ratio (Kafka's
    /// `max.compaction.lag.ms`). Default `Int64.max`: only the ratio decides.
    public var maxCompactionLagMs: Int64 = .max
    /// How long a tombstone (a record with a key and no value) stays readable after the
    /// clean that first kept it (Kafka's `delete.retention.ms`). Default 1 day.
    public var deleteRetentionMs: Int64 = 24 * 3_600_000

    /// The defaults above.
    public init() {}

    /// Checks that every value is in range.
    public func validate() throws {
        guard segmentBytes >= RecordBatchHeader.size, segmentBytes <= Int(Int32.max) else {
            throw BasaltError.invalidConfiguration("segmentBytes must be in 61...\(Int32.max), got \(segmentBytes)")
        }
        guard segmentMs > 0 else { throw BasaltError.invalidConfiguration("segmentMs must be positive") }
        guard indexIntervalBytes >= 0 else { throw BasaltError.invalidConfiguration("indexIntervalBytes must be ≥ 0") }
        // Upper bounds as Kafka's (int32 settings): a larger index would be preallocated
        // whole, and the decompression limit multiplies maxMessageBytes.
        guard maxIndexBytes >= 4096, maxIndexBytes <= Int(Int32.max) else {
            throw BasaltError.invalidConfiguration("maxIndexBytes must be in 4096...\(Int32.max), got \(maxIndexBytes)")
        }
        guard maxMessageBytes >= RecordBatchHeader.size, maxMessageBytes <= Int(Int32.max) else {
            throw BasaltError.invalidConfiguration("maxMessageBytes must be in 61...\(Int32.max), got \(maxMessageBytes)")
        }
        guard indexIntervalBytes <= Int(Int32.max) else {
            throw BasaltError.invalidConfiguration("indexIntervalBytes must be ≤ \(Int32.max)")
        }
        guard retentionBytes >= -1, retentionMs >= -1 else {
            throw BasaltError.invalidConfiguration("retentionBytes and retentionMs must be ≥ −1")
        }
        guard minCleanableDirtyRatio >= 0, minCleanableDirtyRatio <= 1 else {
            throw BasaltError.invalidConfiguration("minCleanableDirtyRatio must be in 0...1, got \(minCleanableDirtyRatio)")
        }
        guard minCompactionLagMs >= 0, maxCompactionLagMs >= 1, deleteRetentionMs >= 0 else {
            throw BasaltError.invalidConfiguration("minCompactionLagMs and deleteRetentionMs must be ≥ 0, maxCompactionLagMs ≥ 1")
        }
        if case .interval(let milliseconds) = durability, milliseconds <= 0 {
            throw BasaltError.invalidConfiguration("a flush interval must be positive")
        }
    }
}
