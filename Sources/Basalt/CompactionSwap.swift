import Glibc

/// The file protocol by which the log cleaner replaces a run of closed segments with
/// the one segment it wrote, so that a crash at any point leaves either the old run or
/// the new segment, never a mix and never a loss (Kafka's `.cleaned`/`.swap` protocol).
///
/// For a run of old segments starting at base offset `B` and ending at offset `E` (the
/// next segment's base), the cleaner:
/// 1. writes the new segment as `B.log.cleaned`, `B.index.cleaned`, `B.timeindex.cleaned`
///    and syncs them (``LogCleaner``);
/// 2. ``commit(directory:baseOffset:io:)``: renames the two index files to `.swap`, then
///    the log to `B.log.swap`, and syncs the directory. The rename of the log is the
///    commit point: from here on the new segment is the truth;
/// 3. ``complete(directory:baseOffset:replacedBases:io:)``: unlinks the old segments
///    other than `B` (their three files), renames the index swaps over `B.index` and
///    `B.timeindex`, then `B.log.swap` over `B.log`, and syncs the directory.
///
/// ``recover(directory:io:)`` runs when a partition opens, before its segments are
/// listed: `.cleaned` files (a clean that did not commit) are removed; an index `.swap`
/// without its `B.log.swap` (a commit cut between its renames) is removed; a
/// `B.log.swap` (committed, not completed) is completed: its end offset `E` is read from
/// its batches, every segment with a base in `(B, E)` is unlinked, and the renames of
/// step 3 are done. Each step is repeatable, so a crash during recovery is recovered the
/// same way.
///
/// The old segments' open descriptors stay valid after their files are unlinked or
/// renamed over, so readers holding them (a fetch being sent with `sendfile`) finish.
enum CompactionSwap {
    static let cleanedSuffix = ".cleaned"
    static let swapSuffix = ".swap"

    /// Step 2: makes the cleaned files of `baseOffset` the committed replacement.
    static func commit(directory: String, baseOffset: Int64, io: any FileIO) throws {
        let cleaned = Segment.paths(directory: directory, baseOffset: baseOffset, suffix: cleanedSuffix)
        let swap = Segment.paths(directory: directory, baseOffset: baseOffset, suffix: swapSuffix)
        try rename(cleaned.offsetIndex, to: swap.offsetIndex, io: io)
        try rename(cleaned.timeIndex, to: swap.timeIndex, io: io)
        try rename(cleaned.log, to: swap.log, io: io)
        try Directory.sync(directory, io: io)
    }

    /// Step 3: removes the replaced segments and puts the swap files in place.
    static func complete(directory: String, baseOffset: Int64, replacedBases: [Int64], io: any FileIO) throws {
        for base in replacedBases where base != baseOffset {
            let old = Segment.paths(directory: directory, baseOffset: base)
            for path in [old.offsetIndex, old.timeIndex, old.log] { try Segment.removeIfPresent(path, io: io) }
        }
        let swap = Segment.paths(directory: directory, baseOffset: baseOffset, suffix: swapSuffix)
        let final = Segment.paths(directory: directory, baseOffset: baseOffset)
        if fileExists(swap.offsetIndex) { try rename(swap.offsetIndex, to: final.offsetIndex, io: io) }
        if fileExists(swap.timeIndex) { try rename(swap.timeIndex, to: final.timeIndex, io: io) }
        try rename(swap.log, to: final.log, io: io)
        try Directory.sync(directory, io: io)
    }

    /// Removes the files of a clean that did not commit (step 1 only).
    static func discard(directory: String, baseOffset: Int64, io: any FileIO) throws {
        let cleaned = Segment.paths(directory: directory, baseOffset: baseOffset, suffix: cleanedSuffix)
        for path in [cleaned.log, cleaned.offsetIndex, cleaned.timeIndex] { try Segment.removeIfPresent(path, io: io) }
    }

    /// Rolls back uncommitted cleans and completes committed ones in `directory`.
    ///
    /// - Returns: how many committed swaps were completed.
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` when a committed swap
    ///   file does not hold valid batches (it was synced before the commit, so this is
    ///   damage); ``BasaltError/io(operation:path:errno:)``.
    @discardableResult
    static func recover(directory: String, io: any FileIO) throws -> Int {
        let names = try Directory.entries(directory)
        var changed = false
        var committed: [Int64] = []
        for name in names {
            if name.hasSuffix(cleanedSuffix) {
                try Segment.removeIfPresent(directory + "/" + name, io: io)
                changed = true
            } else if name.hasSuffix(swapSuffix), let parsed = SegmentFileName.parse(String(name.dropLast(swapSuffix.count))),
                      parsed.fileExtension == SegmentFileName.log {
                committed.append(parsed.baseOffset)
            }
        }
        for name in names where name.hasSuffix(swapSuffix) {
            guard let parsed = SegmentFileName.parse(String(name.dropLast(swapSuffix.count))),
                  parsed.fileExtension != SegmentFileName.log, !committed.contains(parsed.baseOffset) else { continue }
            try Segment.removeIfPresent(directory + "/" + name, io: io)
            changed = true
        }
        for base in committed {
            let swapLog = Segment.paths(directory: directory, baseOffset: base, suffix: swapSuffix).log
            let end = try endOffset(ofLog: swapLog, baseOffset: base, io: io)
            var replaced: [Int64] = []
            for name in names {
                guard let parsed = SegmentFileName.parse(name), parsed.fileExtension == SegmentFileName.log,
                      parsed.baseOffset > base, parsed.baseOffset < end else { continue }
                replaced.append(parsed.baseOffset)
            }
            try complete(directory: directory, baseOffset: base, replacedBases: replaced, io: io)
        }
        if changed { try Directory.sync(directory, io: io) }
        return committed.count
    }

    /// The offset after the last batch of the log file at `path`.
    private static func endOffset(ofLog path: String, baseOffset: Int64, io: any FileIO) throws -> Int64 {
        let file = try StorageFile(path: path, flags: O_RDONLY, io: io)
        var scanner = try SegmentScanner(file: file)
        var end = baseOffset
        while true {
            switch try scanner.next() {
            case .end:
                return end
            case .batch(let position, let header, let crcValid):
                guard crcValid, header.baseOffset >= end else {
                    throw BasaltError.corruptLog(file: path, position: position, reason: "a committed cleaned segment holds a bad batch")
                }
                end = header.nextOffset
            case .invalid(let position, let reason, _):
                throw BasaltError.corruptLog(file: path, position: position, reason: "a committed cleaned segment: \(reason)")
            }
        }
    }

    private static func rename(_ from: String, to: String, io: any FileIO) throws {
        do throws(Errno) {
            try io.rename(from, to: to)
        } catch {
            throw BasaltError.io(operation: "rename", path: from, errno: error.code)
        }
    }

    private static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}
