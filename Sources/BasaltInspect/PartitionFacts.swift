import Basalt

/// What verifying a partition directory found out about it: its segments' facts and the
/// offsets, sizes and times summary shows.
struct PartitionFacts: Sendable {
    var path: String
    /// From the directory name `<topic>-<partition>`, when it has that form.
    var topicPartition: TopicPartition?
    var segments: [SegmentFacts] = []
    /// Segments that could not be read at all.
    var unreadableSegments: [String] = []
    /// The parsed checkpoint; nil when absent or unreadable.
    var checkpoint: PartitionCheckpointFile?
    var checkpointUnreadable = false
    /// Problems found in this partition.
    var problems = 0

    /// The first readable offset: the checkpoint's log start offset, raised to the
    /// first segment's base offset.
    var logStartOffset: Int64? {
        guard let first = segments.first?.nameBaseOffset ?? segments.first?.firstBatchOffset else { return checkpoint?.logStartOffset }
        return max(first, checkpoint?.logStartOffset ?? first)
    }

    /// The offset after the last valid batch of the last segment.
    var logEndOffset: Int64? {
        segments.last?.nextOffset ?? checkpoint?.logStartOffset
    }

    var bytes: Int64 { segments.reduce(0) { $0 + $1.fileBytes } }
    var records: Int64 { segments.reduce(0) { $0 + $1.records } }
    var batches: Int { segments.reduce(0) { $0 + $1.batches } }
    var firstTimestamp: Int64? { segments.compactMap(\.firstTimestamp).min() }
    var maxTimestamp: Int64? { segments.compactMap(\.maxTimestamp).max() }
    var measuredBytes: Int64 { segments.reduce(0) { $0 + $1.measuredBytes } }
    var uncompressedBytes: Int64 { segments.reduce(0) { $0 + $1.uncompressedBytes } }

    /// Uncompressed bytes over bytes on disk, over the batches that could be measured;
    /// nil when none could.
    var compressionRatio: Double? {
        measuredBytes > 0 ? Double(uncompressedBytes) / Double(measuredBytes) : nil
    }

    /// Batches by codec name, over all segments.
    var codecBatches: [String: Int] {
        segments.reduce(into: [:]) { result, segment in
            for (codec, count) in segment.codecBatches { result[codec, default: 0] += count }
        }
    }
}
