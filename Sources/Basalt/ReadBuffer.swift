/// Memory a ``PartitionLog`` reuses across ``PartitionLog/forEachRecord(from:maxBytes:isolation:_:)``
/// calls: one region for batch bytes read from segment files and one for decompressed
/// records sections, so a steady reader allocates and faults in pages once, not per call.
///
/// `@unchecked Sendable`: the log keeps at most one idle buffer behind its lock and hands
/// it to one reader at a time (taken out, put back when the walk ends); no two threads
/// hold a reference to the same buffer while it is in use.
final class ReadBuffer: @unchecked Sendable {
    /// Regions larger than this are freed after use instead of kept: one huge batch
    /// should not pin its memory for the life of the log.
    static let maxRetainedBytes = 16 << 20

    private var file = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// A region of at least `count` bytes for batch bytes; its contents are undefined.
    func fileBytes(count: Int) -> UnsafeMutableRawBufferPointer {
        Self.ensure(&file, count)
        return UnsafeMutableRawBufferPointer(rebasing: file[..<count])
    }

    /// A region of at least `count` bytes for a decompressed section; contents undefined.
    func scratchBytes(count: Int) -> UnsafeMutableRawBufferPointer {
        Self.ensure(&scratch, count)
        return UnsafeMutableRawBufferPointer(rebasing: scratch[..<count])
    }

    /// Whether the buffer is small enough to keep for the next reader.
    var isWorthKeeping: Bool { file.count <= Self.maxRetainedBytes && scratch.count <= Self.maxRetainedBytes }

    private static func ensure(_ region: inout UnsafeMutableRawBufferPointer, _ count: Int) {
        guard region.count < count else { return }
        region.deallocate()
        // Rounded up to 64 KiB so a reader whose batches vary a little does not reallocate.
        let size = (count + 0xFFFF) & ~0xFFFF
        region = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    }

    deinit {
        file.deallocate()
        scratch.deallocate()
    }
}
