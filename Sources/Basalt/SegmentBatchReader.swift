/// Reads the whole batches of a closed segment's log in order, a window at a time, each
/// checked as a ``RecordBatch`` (bounds and CRC): the log cleaner's input.
///
/// Memory is one window (grown only for a batch larger than it).
struct SegmentBatchReader {
    private let segment: Segment
    private let size: Int64
    private var window: [UInt8] = []
    private var windowStart: Int64 = 0
    private(set) var position: Int64 = 0
    private let windowBytes: Int

    init(segment: Segment, size: Int64, windowBytes: Int = 1 << 20) {
        self.segment = segment
        self.size = size
        self.windowBytes = windowBytes
    }

    /// The next batch and its position, or nil at the end of the segment.
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for a batch that is
    ///   cut short or fails its checks.
    mutating func next() throws -> (batch: RecordBatch, position: Int64)? {
        guard position < size else { return nil }
        func damaged(_ reason: String) -> BasaltError {
            BasaltError.corruptLog(file: segment.logPath, position: position, reason: reason)
        }
        guard size - position >= Int64(RecordBatchHeader.size) else { throw damaged("partial batch header") }
        try load(count: RecordBatchHeader.size)
        let offset = Int(position - windowStart)
        let header = try window.withUnsafeBytes { raw in
            try RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: raw[offset...]))
        }
        guard header.batchLength >= 49, Int64(header.totalSize) <= size - position else {
            throw damaged("batch length \(header.batchLength) runs past the segment")
        }
        try load(count: header.totalSize)
        let batch: RecordBatch
        do {
            batch = try RecordBatch(storage: window, at: Int(position - windowStart), allowingCompaction: true)
        } catch let error as BasaltError {
            throw damaged(error.description)
        }
        defer { position += Int64(header.totalSize) }
        return (batch, position)
    }

    /// Makes the window hold `count` bytes from `position`.
    private mutating func load(count: Int) throws {
        if position >= windowStart && position + Int64(count) <= windowStart + Int64(window.count) { return }
        let want = Int(min(Int64(max(windowBytes, count)), size - position))
        window = try segment.log.read(count: want, at: position)
        windowStart = position
        guard window.count >= count else {
            throw BasaltError.corruptLog(file: segment.logPath, position: position, reason: "segment shorter than its size")
        }
    }
}
