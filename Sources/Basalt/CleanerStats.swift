/// What one clean of one partition did (``LogCleaner/clean(_:nowMs:)``).
public struct CleanerStats: Sendable, Equatable {
    /// The offsets the clean covered: from the log start to the end of the dirty section
    /// the key map held.
    public var firstOffset: Int64
    /// The new cleaner checkpoint: every offset below it has been compacted.
    public var endOffset: Int64
    /// Closed segments read and rewritten.
    public var segmentsRead: Int
    /// Segments written (several small ones are grouped into one).
    public var segmentsWritten: Int
    /// Bytes of the segments read.
    public var bytesRead: Int64
    /// Bytes of the segments written.
    public var bytesWritten: Int64
    /// Records read.
    public var recordsRead: Int64
    /// Records the clean removed (superseded, keyless, or tombstones past their horizon).
    public var recordsRemoved: Int64
    /// The dirty ratio that made the partition eligible.
    public var dirtyRatio: Double
    /// Wall-clock time the clean took.
    public var durationMs: Int64
}
