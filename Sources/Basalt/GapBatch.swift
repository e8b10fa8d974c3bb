/// An empty record batch covering the offsets of a run of batches the log cleaner
/// removed, so that the batches of a compacted segment still run on without gaps.
///
/// Kafka's cleaner leaves the gap itself; Basalt writes this 61-byte batch instead (zero
/// records, `lastOffsetDelta` spanning the run, no producer, uncompressed, CreateTime),
/// which every Kafka client skips as it skips any batch without records. What it buys:
/// recovery, verification and a follower's append keep rejecting a batch whose base
/// offset is not the previous batch's next offset, the only check on a base offset,
/// which the CRC does not cover. A run is split where the leader epoch changes, so a
/// follower copying the batches still learns every epoch's start offset.
struct GapBatch: Equatable {
    private(set) var baseOffset: Int64
    private(set) var lastOffset: Int64
    let partitionLeaderEpoch: Int32
    let baseTimestamp: Int64
    private(set) var maxTimestamp: Int64

    /// A run starting with the removed batch `header`.
    init(_ header: RecordBatchHeader) {
        baseOffset = header.baseOffset
        lastOffset = header.lastOffset
        partitionLeaderEpoch = header.partitionLeaderEpoch
        baseTimestamp = header.baseTimestamp
        maxTimestamp = header.maxTimestamp
    }

    /// The part from `offset` on of a gap batch `header` that starts before `offset`: a
    /// follower whose log ends at `offset`, inside a leader's gap batch (the leader
    /// compacted after the follower copied up to there), appends this instead, so its own
    /// batches stay contiguous. Nil unless `header` is a gap batch (no records, no
    /// producer, not a control batch) holding `offset` past its base.
    init?(trimming header: RecordBatchHeader, from offset: Int64) {
        guard header.recordsCount == 0, header.producerId < 0, !header.isControl,
              header.baseOffset < offset, offset <= header.lastOffset else { return nil }
        baseOffset = offset
        lastOffset = header.lastOffset
        partitionLeaderEpoch = header.partitionLeaderEpoch
        baseTimestamp = header.baseTimestamp
        maxTimestamp = header.maxTimestamp
    }

    /// Whether the removed batch `header` follows the run directly, in the same leader
    /// epoch and within the 32-bit offset delta.
    func canExtend(with header: RecordBatchHeader) -> Bool {
        header.baseOffset == lastOffset + 1 && header.partitionLeaderEpoch == partitionLeaderEpoch
            && header.lastOffset - baseOffset <= Int64(Int32.max)
    }

    mutating func extend(with header: RecordBatchHeader) {
        precondition(canExtend(with: header), "a gap batch extended by a batch that does not follow it")
        lastOffset = header.lastOffset
        maxTimestamp = max(maxTimestamp, header.maxTimestamp)
    }

    /// The batch's 61 bytes, CRC included.
    func encoded() -> [UInt8] {
        let header = RecordBatchHeader(
            baseOffset: baseOffset, batchLength: Int32(RecordBatchHeader.size - RecordBatchHeader.logOverhead),
            partitionLeaderEpoch: partitionLeaderEpoch, attributes: 0, lastOffsetDelta: Int32(lastOffset - baseOffset),
            baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp, recordsCount: 0)
        return [UInt8](unsafeUninitializedCapacity: RecordBatchHeader.size) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            header.write(to: base)
            RecordBatchEncoder.sealCRC(UnsafeMutableRawBufferPointer(start: base, count: RecordBatchHeader.size))
            count = RecordBatchHeader.size
        }
    }
}
