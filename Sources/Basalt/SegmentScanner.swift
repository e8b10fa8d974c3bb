/// Walks the batches of a `.log` file from a position, checking each batch's header
/// and CRC, with memory bounded by a fixed window whatever the file or batch size.
///
/// The scanner reports what it finds and decides nothing: recovery, verification and
/// repair each apply their own rules to what it reports.
public struct SegmentScanner {
    /// What the scanner found at a position.
    public enum Finding: Sendable, Equatable {
        /// A batch whose header is well-formed and fits in the file. `crcValid` says
        /// whether its CRC-32C matches.
        case batch(position: Int64, header: RecordBatchHeader, crcValid: Bool)
        /// Bytes at `position` that are not a well-formed batch header, or a batch that
        /// runs past the end of the file. `nextPosition` is where the next batch would
        /// start if the length field can be believed, else nil.
        case invalid(position: Int64, reason: String, nextPosition: Int64?)
        /// The end of the file, at a batch boundary.
        case end(position: Int64)
    }

    private let file: StorageFile
    /// Bytes in the file when the scan started.
    public let fileSize: Int64
    private var window: [UInt8]
    private var windowStart: Int64 = 0
    private var windowCount: Int = 0
    /// Where the next call to ``next()`` looks.
    public private(set) var position: Int64

    /// Starts a scan of `file` at `position`, reading `windowBytes` at a time.
    public init(file: StorageFile, from position: Int64 = 0, windowBytes: Int = 1 << 20) throws {
        self.file = file
        self.fileSize = try file.size()
        self.window = [UInt8](repeating: 0, count: max(windowBytes, RecordBatchHeader.size))
        self.position = position
    }

    /// Reports the batch at the current position and moves past it. After an `.invalid`
    /// finding the position does not move; call ``skip(to:)`` to go on regardless.
    public mutating func next() throws -> Finding {
        let remaining = fileSize - position
        if remaining == 0 { return .end(position: position) }
        if remaining < Int64(RecordBatchHeader.size) {
            return .invalid(position: position, reason: "\(remaining) bytes at the end are shorter than a batch header",
                            nextPosition: nil)
        }
        try load(position, count: RecordBatchHeader.size)
        let header = try window.withUnsafeBytes { raw in
            try RecordBatchHeader(parsing: UnsafeRawBufferPointer(rebasing: raw[Int(position - windowStart)...]))
        }
        let declaredEnd = position + Int64(header.batchLength) + Int64(RecordBatchHeader.logOverhead)
        let plausibleNext = header.batchLength >= 49 && declaredEnd <= fileSize ? declaredEnd : nil
        do {
            try header.validate(available: Int(min(remaining, Int64(Int32.max))), allowingCompaction: true)
            try header.validateStoredOffsets()
        } catch let error as BasaltError {
            return .invalid(position: position, reason: Self.reason(error), nextPosition: plausibleNext)
        }
        let crc = try checksum(from: position + Int64(RecordBatchHeader.attributesPosition), to: declaredEnd)
        let found = Finding.batch(position: position, header: header, crcValid: crc == header.crc)
        position = declaredEnd
        return found
    }

    /// The first position at or after `start` where a complete batch with a matching CRC
    /// begins, or nil when there is none. Used after a bad batch, to tell a torn tail
    /// (nothing valid follows) from damage in the middle of the log, whatever the damaged
    /// batch's length field says. Costs a byte-by-byte search, so only bad paths use it.
    public mutating func firstValidBatch(from start: Int64) throws -> Int64? {
        var candidate = start
        let magicPosition = Int64(16)
        while candidate + Int64(RecordBatchHeader.size) <= fileSize {
            try load(candidate, count: RecordBatchHeader.size)
            let magic = window[Int(candidate + magicPosition - windowStart)]
            if magic == 2 {
                let saved = position
                position = candidate
                let finding = try next()
                position = saved
                if case .batch(_, _, true) = finding { return candidate }
            }
            candidate += 1
        }
        return nil
    }

    /// Moves the scan to `position`.
    public mutating func skip(to position: Int64) {
        precondition(position >= 0 && position <= fileSize, "scan position outside the file")
        self.position = position
    }

    private static func reason(_ error: BasaltError) -> String {
        if case .invalidBatch(let reason) = error { return reason }
        return error.description
    }

    /// Makes the window hold `count` bytes from `start` (count ≤ window size).
    private mutating func load(_ start: Int64, count: Int) throws {
        if start >= windowStart && start + Int64(count) <= windowStart + Int64(windowCount) { return }
        let want = Int(min(Int64(window.count), fileSize - start))
        let got = try window.withUnsafeMutableBytes { raw in
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[..<want]), at: start)
        }
        windowStart = start
        windowCount = got
        guard got >= count else {
            throw BasaltError.io(operation: "read (file shrank during scan)", path: file.path, errno: 5)
        }
    }

    /// CRC-32C of the file's bytes in `[start, end)`, a window at a time.
    private mutating func checksum(from start: Int64, to end: Int64) throws -> UInt32 {
        var crc: UInt32 = 0
        var cursor = start
        while cursor < end {
            let chunk = Int(min(Int64(window.count), end - cursor))
            try load(cursor, count: chunk)
            let offset = Int(cursor - windowStart)
            crc = window.withUnsafeBytes { raw in
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + chunk)]), continuing: crc)
            }
            cursor += Int64(chunk)
        }
        return crc
    }
}
