import Basalt

/// Walks the batches of one `.log` file with the storage core's ``SegmentScanner`` (a
/// fixed window, so memory stays flat whatever the file size) and says what kind of
/// damage stops it: the first step shared by dump, verify, summary and repair.
///
/// After damage the walk goes on where the damaged batch's length says the next one
/// starts, or, when the length cannot be believed, at the next position where a
/// well-formed batch with a matching CRC starts (the scanner's byte-by-byte search,
/// the one recovery uses to tell a torn tail from damage in the middle).
struct SegmentWalk {
    /// Why bytes could not be read as a batch.
    enum Damage: Equatable {
        /// Fewer bytes than a header remain, or the batch runs past the end of the file.
        case truncated(String)
        /// The bytes are not a valid batch header.
        case invalid(String)

        var kind: ProblemKind {
            switch self {
            case .truncated: .truncatedBatch
            case .invalid: .invalidBatch
            }
        }

        var reason: String {
            switch self {
            case .truncated(let reason), .invalid(let reason): reason
            }
        }
    }

    /// What the walk found next.
    enum Event: Equatable {
        /// A well-formed batch; `crcValid` says whether its CRC matches.
        case batch(position: Int64, header: RecordBatchHeader, crcValid: Bool)
        /// Bytes at `position` that are not a batch. The walk goes on at `resumesAt`; nil
        /// means nothing after `position` could be read as a batch.
        case damaged(position: Int64, damage: Damage, resumesAt: Int64?)
        /// The end of the file.
        case end(position: Int64)
    }

    let file: StorageFile
    private var scanner: SegmentScanner

    /// Bytes in the file when the walk started.
    var fileSize: Int64 { scanner.fileSize }
    /// Where the next event starts.
    var position: Int64 { scanner.position }

    /// Starts a walk of `file` at `position`.
    init(file: StorageFile, from position: Int64 = 0) throws {
        self.file = file
        self.scanner = try SegmentScanner(file: file, from: 0)
        if position > 0 { scanner.skip(to: min(position, scanner.fileSize)) }
    }

    /// The next event.
    mutating func next() throws -> Event {
        switch try scanner.next() {
        case .batch(let position, let header, let crcValid):
            return .batch(position: position, header: header, crcValid: crcValid)
        case .end(let position):
            return .end(position: position)
        case .invalid(let position, let reason, let nextPosition):
            let damage = try classify(at: position, reason: reason)
            var resume = nextPosition
            if resume == nil { resume = try scanner.firstValidBatch(from: position + 1) }
            scanner.skip(to: resume ?? fileSize)
            return .damaged(position: position, damage: damage, resumesAt: resume)
        }
    }

    /// The first position at or after `start` where a valid batch begins, found the way
    /// recovery looks for one (byte by byte); the walk's own position does not move.
    mutating func firstValidBatch(from start: Int64) throws -> Int64? {
        try scanner.firstValidBatch(from: start)
    }

    /// Tells a torn write (the bytes stop early) from bytes that are not a header.
    private func classify(at position: Int64, reason: String) throws -> Damage {
        let remaining = fileSize - position
        if remaining < Int64(RecordBatchHeader.size) {
            return .truncated("only \(remaining) bytes left at the end of the file, fewer than a 61-byte batch header")
        }
        let bytes = try file.read(count: RecordBatchHeader.size, at: position)
        guard let header = try? bytes.withUnsafeBytes({ try RecordBatchHeader(parsing: $0) }) else {
            return .invalid(reason)
        }
        if header.magic == 2, header.batchLength >= Int32(RecordBatchHeader.size - RecordBatchHeader.logOverhead),
           Int64(header.totalSize) > remaining {
            return .truncated("batch length field says \(header.totalSize) bytes but only \(remaining) are left in the file")
        }
        return .invalid(reason)
    }
}
