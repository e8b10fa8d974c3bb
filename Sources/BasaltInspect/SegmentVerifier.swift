import Basalt

/// Verifies one segment: every batch's bounds and CRC, offsets following each other,
/// the file named by its first offset, and every entry of its two indexes against the
/// log, in one pass over the `.log` with memory bounded by the scanner's window.
struct SegmentVerifier {
    /// The files of one segment.
    struct Files: Sendable {
        var log: String
        /// From the file name; nil when the name is not a segment name.
        var baseOffset: Int64?
        /// nil when the file is absent.
        var offsetIndex: String?
        var timeIndex: String?
        /// Whether to report missing index files.
        var expectIndexes = true
    }

    /// Whether later segments hold data (a damaged tail is then not a torn tail).
    var followedByData = false
    /// Decode every record of every batch whose codec Basalt reads.
    var deep = false
    /// Decompress compressed batches to measure the compression ratio.
    var measureCompression = false
    /// Largest batch read whole (for `deep` and `measureCompression`).
    var maxBatchBytes = 64 << 20
    /// Called with the bytes of the `.log` walked so far, every few megabytes.
    var progress: ((Int64) -> Void)?

    /// Verifies `files`, adding problems to `report`.
    ///
    /// - Throws: ``InspectError`` when the `.log` cannot be opened or read; a missing
    ///   or unreadable index is a problem, not an error.
    func verify(_ files: Files, report: ProblemReport) throws(InspectError) -> SegmentFacts {
        var facts = SegmentFacts(logPath: files.log, nameBaseOffset: files.baseOffset)
        let totalBefore = report.total
        let file = try FileSystem.openRegularFile(files.log)
        var logProblems = LogProblems(path: files.log, limit: report.limitPerFileAndKind)
        let indexFlag = RebuildFlag()
        var offsetCheck = openCheck(files.offsetIndex, of: files, describedAs: "offset index (.\(SegmentFileName.offsetIndex))",
                                    rules: OffsetIndexRules.init, report: report, flag: indexFlag)
        var timeCheck = openCheck(files.timeIndex, of: files, describedAs: "time index (.\(SegmentFileName.timeIndex))",
                                  rules: TimeIndexRules.init, report: report, flag: indexFlag)
        do {
            var walk = try SegmentWalk(file: file)
            facts.fileBytes = walk.fileSize
            var expected: Int64?
            var chainIntact = true
            var lastProgress: Int64 = 0
            walking: while true {
                let event = try walk.next()
                switch event {
                case .end:
                    break walking
                case .damaged(let position, let damage, let resumesAt):
                    var message = damage.reason
                    if let resumesAt {
                        message += "; the walk resumes at byte \(resumesAt)"
                    } else if !chainIntact {
                        // (Where the valid run stops, the explanation added at the end says this.)
                        message += "; nothing after it reads as a batch (\(walk.fileSize - position) bytes to the end of the file)"
                    }
                    logProblems.add(Problem(damage.kind, path: files.log, position: position, message))
                    if chainIntact {
                        chainIntact = false
                        facts.chainBreak = .init(position: position, kind: damage.kind,
                                                 firstValidAfter: try walk.firstValidBatch(from: position + 1))
                        logProblems.markBreak()
                    }
                case .batch(let position, let header, let crcValid):
                    facts.batches += 1
                    facts.records += Int64(header.recordsCount)
                    facts.lastOffset = header.lastOffset
                    facts.batchesEndPosition = position + Int64(header.totalSize)
                    if facts.firstBatchOffset == nil { facts.firstBatchOffset = header.baseOffset }
                    let first = header.isLogAppendTime ? header.maxTimestamp : header.baseTimestamp
                    facts.firstTimestamp = min(facts.firstTimestamp ?? first, first)
                    facts.maxTimestamp = max(facts.maxTimestamp ?? header.maxTimestamp, header.maxTimestamp)
                    facts.codecBatches[Self.codecName(header), default: 0] += 1
                    if crcValid, facts.chainBreak != nil, !chainIntact { facts.chainBreak?.validBatchesAfter += 1 }
                    let span = "batch of offsets \(header.baseOffset)...\(header.lastOffset) (\(header.totalSize) bytes)"
                    var breaks: ProblemKind?
                    if !crcValid {
                        logProblems.add(Problem(.crcMismatch, path: files.log, position: position,
                                                "\(span): stored CRC \(Self.hex(header.crc)) does not match its bytes"))
                        breaks = .crcMismatch
                    }
                    // Batches run on without gaps in compacted segments too: the log cleaner
                    // covers the offsets of the batches it removes with one empty batch.
                    if let expected {
                        if header.baseOffset != expected {
                            let difference = header.baseOffset - expected
                            let what = difference > 0 ? "a gap of \(difference) offsets" : "\(-difference) offsets overlap or go back"
                            logProblems.add(Problem(.offsetNotContiguous, path: files.log, position: position,
                                                    "\(span) starts at \(header.baseOffset), expected \(expected) (\(what))"))
                            breaks = breaks ?? .offsetNotContiguous
                        }
                    } else if let name = files.baseOffset, header.baseOffset != name {
                        logProblems.add(Problem(.misnamedSegment, path: files.log, position: position,
                                                "the first batch starts at offset \(header.baseOffset) but the file name says \(name)"))
                    }
                    let segmentBase = files.baseOffset ?? facts.firstBatchOffset ?? header.baseOffset
                    if header.lastOffset - segmentBase > Int64(Int32.max) || header.baseOffset < segmentBase {
                        logProblems.add(Problem(.offsetOverflow, path: files.log, position: position,
                                                "\(span) does not fit the segment's 32-bit range from base offset \(segmentBase)"))
                        breaks = breaks ?? .offsetOverflow
                    }
                    // Records that do not decode end the valid run too: recovery keeps the
                    // batch (its CRC is good) but no consumer can read past it.
                    if crcValid && (deep || measureCompression),
                       !(try inspectRecords(file: file, position: position, header: header, facts: &facts, problems: &logProblems)) {
                        breaks = breaks ?? .invalidRecords
                    }
                    if chainIntact {
                        if let breaks {
                            chainIntact = false
                            facts.chainBreak = .init(position: position, kind: breaks,
                                                     firstValidAfter: try walk.firstValidBatch(from: position + 1))
                            logProblems.markBreak()
                        } else {
                            facts.chainEndPosition = position + Int64(header.totalSize)
                            facts.chainNextOffset = header.nextOffset
                        }
                    }
                    expected = header.nextOffset
                    try offsetCheck?.observe(position: position, header: header)
                    try timeCheck?.observe(position: position, header: header)
                }
                if let progress, walk.position - lastProgress >= 8 << 20 {
                    lastProgress = walk.position
                    progress(walk.position)
                }
            }
            try offsetCheck?.finish(log: facts)
            try timeCheck?.finish(log: facts)
        } catch {
            throw InspectError.from(error, path: files.log)
        }
        if facts.chainBreak != nil { logProblems.explainBreak(facts, followedByData: followedByData) }
        logProblems.flush(into: report)
        progress?(facts.fileBytes)
        facts.problems = report.total - totalBefore
        facts.indexNeedsRebuild = indexFlag.isSet
        return facts
    }

    /// Decodes the batch's records (`deep`) and measures its uncompressed size. Returns
    /// false when `deep` finds records that do not decode (an `invalid-records`
    /// problem); true otherwise, including batches it could not read whole.
    private func inspectRecords(
        file: StorageFile, position: Int64, header: RecordBatchHeader, facts: inout SegmentFacts, problems: inout LogProblems
    ) throws -> Bool {
        let codec = header.compression
        if codec == CompressionCodec.none && !deep {
            facts.measuredBytes += Int64(header.totalSize)
            facts.uncompressedBytes += Int64(header.totalSize)
            return true
        }
        guard codec?.isSupported == true, header.totalSize <= maxBatchBytes else { return true }
        let bytes = try file.read(count: header.totalSize, at: position)
        guard bytes.count == header.totalSize else { return true }
        if deep {
            do {
                try RecordBatch(storage: bytes, allowingCompaction: true).validateRecords()
            } catch let error as BasaltError {
                problems.add(Problem(.invalidRecords, path: facts.logPath, position: position,
                                     "batch of offsets \(header.baseOffset)...\(header.lastOffset): \(error)"))
                return false
            }
        }
        if measureCompression {
            if let codec, codec != .none {
                let section = bytes.withUnsafeBytes { raw in
                    try? codec.decompress(UnsafeRawBufferPointer(rebasing: raw[RecordBatchHeader.size...]),
                                          expectedSize: Int(header.recordsCount) * 16, limit: 256 << 20)
                }
                guard let section else { return true }
                facts.uncompressedBytes += Int64(RecordBatchHeader.size + section.count)
            } else {
                facts.uncompressedBytes += Int64(header.totalSize)
            }
            facts.measuredBytes += Int64(header.totalSize)
        }
        return true
    }

    /// The check of one index file of the segment, or nil when it cannot be checked
    /// (missing, unreadable, not whole entries), which is reported here.
    private func openCheck<Rules: IndexRules>(
        _ path: String?, of files: Files, describedAs name: String, rules: (Int64) -> Rules, report: ProblemReport, flag: RebuildFlag
    ) -> IndexCheck<Rules>? {
        guard let path else {
            if files.expectIndexes {
                flag.isSet = true
                report.add(Problem(.missingIndex, path: files.log, "no \(name) next to it"))
            }
            return nil
        }
        guard var reader = openReader(path, as: Rules.Entry.self, report: report, flag: flag),
              let used = usedEntries(&reader, path: path, isZero: Rules.isZero, report: report, flag: flag),
              let base = files.baseOffset else { return nil }
        return IndexCheck(reader: reader, rules: rules(base), usedCount: used, known: nil) { slot, _, issues in
            for issue in issues {
                flag.isSet = true
                report.add(Problem(issue.kind, path: path, position: Int64(slot * Rules.Entry.size), "entry \(slot): \(issue.message)"))
            }
        }
    }

    private func openReader<Entry: IndexEntry>(
        _ path: String, as: Entry.Type, report: ProblemReport, flag: RebuildFlag
    ) -> IndexFileReader<Entry>? {
        do {
            let reader = try IndexFileReader<Entry>(file: FileSystem.openRegularFile(path))
            if reader.trailingBytes != 0 {
                flag.isSet = true
                report.add(Problem(.indexSize, path: path, position: Int64(reader.entryCount * Entry.size),
                                   "\(reader.fileSize) bytes is not a whole number of \(Entry.size)-byte entries (\(reader.trailingBytes) bytes left over); entries not checked"))
                return nil
            }
            return reader
        } catch {
            flag.isSet = true
            report.add(Problem(.unreadable, path: path, "\(InspectError.from(error, path: path))"))
            return nil
        }
    }

    private func usedEntries<Entry: IndexEntry>(
        _ reader: inout IndexFileReader<Entry>, path: String, isZero: (Entry) -> Bool, report: ProblemReport, flag: RebuildFlag
    ) -> Int? {
        do {
            let used = try IndexTail.usedCount(&reader, isZero: isZero)
            if used < reader.entryCount {
                flag.isSet = true
                report.add(Problem(.indexNotTrimmed, path: path, position: Int64(used * Entry.size),
                                   "\(reader.entryCount - used) of its \(reader.entryCount) entries are zero-filled preallocation after entry \(used)"))
            }
            return used
        } catch {
            flag.isSet = true
            report.add(Problem(.unreadable, path: path, "\(InspectError.from(error, path: path))"))
            return nil
        }
    }

    static func codecName(_ header: RecordBatchHeader) -> String {
        header.compression?.description ?? "invalid(\(header.codecNumber))"
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// Set when any index problem is found, from the index checks' callbacks.
private final class RebuildFlag {
    var isSet = false
}

/// The log problems of one segment, held until the segment is walked so the problem
/// where the valid run stops can say what follows it. Bounded like ``ProblemReport``.
private struct LogProblems {
    let path: String
    let limit: Int
    var kept: [Problem] = []
    var dropped: [ProblemKind: (count: Int, severity: Problem.Severity)] = [:]
    var counts: [ProblemKind: Int] = [:]
    var breakIndex: Int?

    init(path: String, limit: Int) {
        self.path = path
        self.limit = limit
    }

    mutating func add(_ problem: Problem) {
        let seen = counts[problem.kind, default: 0]
        counts[problem.kind] = seen + 1
        if seen < limit {
            kept.append(problem)
        } else {
            let previous = dropped[problem.kind]
            dropped[problem.kind] = ((previous?.count ?? 0) + 1, problem.severity)
        }
    }

    /// Marks the last problem added as the one where the valid run stops.
    mutating func markBreak() {
        breakIndex = kept.isEmpty ? nil : kept.count - 1
    }

    /// Adds to the break's message what recovery will do about it.
    mutating func explainBreak(_ facts: SegmentFacts, followedByData: Bool) {
        guard let chainBreak = facts.chainBreak, let index = breakIndex else { return }
        let cut = facts.fileBytes - chainBreak.position
        var problem = kept[index]
        if chainBreak.kind == .invalidRecords {
            // Recovery checks CRCs, not records: it keeps this batch and what follows.
            problem.message += "; its CRC matches, so the partition opens with it, but consumers stop there: repair cuts the log here and keeps this batch and everything after it in quarantine"
            problem.severity = .error
        } else if chainBreak.firstValidAfter == nil {
            if followedByData {
                problem.message += "; nothing valid follows in this file, but later segments hold data: the partition will not open"
                problem.severity = .error
            } else {
                problem.message += "; nothing valid follows: a torn write at the tail, which recovery cuts (\(cut) bytes) when the partition opens"
                if [.truncatedBatch, .crcMismatch, .invalidBatch].contains(problem.kind) { problem.severity = .warning }
            }
        } else {
            let count = max(chainBreak.validBatchesAfter, 1)
            problem.message += "; \(count) valid batch\(count == 1 ? "" : "es") follow\(count == 1 ? "s" : "") (the first at byte \(chainBreak.firstValidAfter ?? 0)): damage inside the log, not a torn tail, so the partition will not open"
            problem.severity = .error
        }
        kept[index] = problem
    }

    func flush(into report: ProblemReport) {
        for problem in kept { report.add(problem) }
        for (kind, dropped) in dropped.sorted(by: { $0.key < $1.key }) {
            report.addSuppressed(path: path, kind: kind, count: dropped.count, severity: dropped.severity)
        }
    }
}
