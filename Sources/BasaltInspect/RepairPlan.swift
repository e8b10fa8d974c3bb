import Basalt

/// What `repair` would do to a partition directory, worked out from what `verify --deep`
/// finds, by the rules of Basalt's recovery: keep the longest run of valid, contiguous
/// batches from the first segment on; cut the log where that run ends and move
/// everything after it aside; rebuild indexes; move aside files Basalt does not use.
///
/// Unlike recovery, the run also stops at a batch whose CRC matches but whose records do
/// not decode (`invalid-records`): recovery keeps such a batch, but no consumer can read
/// past it, so repair treats it as damage in the middle of the log.
public struct RepairPlan: Sendable {
    /// The partition directory.
    public var partition: String
    /// The steps, in order.
    public var actions: [RepairAction]
    /// Problems `verify` found before the repair.
    public var problemsFound: Int
    /// Problems the plan does not address (kinds and counts).
    public var unaddressed: [ProblemKind: Int]
    /// Settings the partition is opened with to rebuild indexes: its topic's, or the defaults.
    var config: LogConfig
    /// What verifying the partition found before the repair.
    var facts: PartitionFacts
    /// The log end offset once the plan is carried out (the current one when there is
    /// nothing to do): a store repair lowers committed offsets past it to it.
    public var logEndOffset: Int64

    /// Whether there is nothing to do.
    public var isEmpty: Bool { actions.isEmpty }

    /// Problem kinds a repair resolves.
    static let addressed: Set<ProblemKind> = [
        .truncatedBatch, .invalidBatch, .crcMismatch, .misnamedSegment, .offsetNotContiguous, .offsetOverflow, .invalidRecords, .segmentGap,
        .emptySegment, .belowLogStart, .missingIndex, .indexSize, .indexNotTrimmed, .indexOutOfOrder, .indexBeyondLog,
        .indexNotAtBatch, .indexOffsetMismatch, .timeIndexMismatch, .strayFile, .orphanIndex, .leftoverFile, .badCheckpoint,
    ]

    /// The verifier repair plans from and checks its work with: deep, so that records
    /// that do not decode are found.
    static var verifier: PartitionVerifier {
        var segmentOptions = SegmentVerifier()
        segmentOptions.deep = true
        return PartitionVerifier(segmentOptions: segmentOptions)
    }

    /// Works out the plan for the partition directory at `path`.
    ///
    /// - Throws: ``InspectError`` when the directory or one of its segments cannot be
    ///   read (a plan made without it could drop data).
    static func make(for path: String, config: LogConfig) throws(InspectError) -> RepairPlan {
        let directory = try PartitionDirectory.read(path)
        let report = ProblemReport()
        let facts = try verifier.verify(path, report: report)
        if let unreadable = facts.unreadableSegments.first {
            throw InspectError.failed(path: unreadable, reason: "cannot be read, so repair cannot decide what to keep; fix that first")
        }
        var unaddressed: [ProblemKind: Int] = [:]
        for (kind, count) in report.countsByKind where !addressed.contains(kind) { unaddressed[kind] = count }

        // A committed log-cleaner swap may already have removed the segments it replaces:
        // moving it aside would lose them. Opening the store completes it.
        if let swap = directory.misfits.first(where: { $0.path.hasSuffix("." + SegmentFileName.log + ".swap") }) {
            throw InspectError.failed(path: swap.path, reason: """
                a log-cleaner swap committed before a crash; open the store with Basalt once (it completes the swap), then repair
                """)
        }
        var actions: [RepairAction] = []
        for misfit in directory.misfits {
            actions.append(.moveAside(path: misfit.path, reason: "\(misfit.kind.rawValue): \(misfit.reason)"))
        }
        for segment in directory.segments where segment.log == nil {
            for file in segment.paths { actions.append(.moveAside(path: file, reason: "orphan-index: its .log is missing")) }
        }
        if facts.checkpointUnreadable, let checkpoint = directory.checkpoint {
            actions.append(.moveAside(path: checkpoint, reason: "bad-checkpoint: the next open recovers every segment"))
        }

        let segments = directory.logSegments
        let existingBases = Set(segments.map(\.baseOffset))
        let logStart = facts.checkpoint?.logStartOffset
        var expected: Int64?
        var cutAt: String?
        var rebuildFrom: Int64?
        // The end of the last segment kept; with none kept, Basalt starts an empty log at
        // the log start offset the checkpoint keeps.
        var keptEnd: Int64?
        func rebuild(_ base: Int64) { rebuildFrom = min(rebuildFrom ?? base, base) }
        func moveIndexes(_ segment: PartitionDirectory.Segment, _ reason: String) {
            for file in [segment.offsetIndex, segment.timeIndex].compactMap({ $0 }) {
                actions.append(.moveAside(path: file, reason: reason))
            }
        }

        for (index, segment) in segments.enumerated() {
            guard let log = segment.log else { continue }
            let segmentFacts = facts.segments[index]
            let isLast = index == segments.count - 1
            if let cutAt {
                for file in segment.paths {
                    actions.append(.moveAside(path: file, reason: "follows the damage at \(cutAt); recovery cannot keep it"))
                }
                continue
            }
            if let logStart, !isLast, segments[index + 1].baseOffset <= logStart {
                for file in segment.paths { actions.append(.moveAside(path: file, reason: "below-log-start: retention was deleting it")) }
                continue
            }
            if segmentFacts.isEmpty {
                if !isLast {
                    for file in segment.paths { actions.append(.moveAside(path: file, reason: "empty-segment between others")) }
                    continue
                }
                if let expected, segment.baseOffset != expected {
                    for file in segment.paths {
                        actions.append(.moveAside(path: file, reason: "segment-gap: empty last segment at \(segment.baseOffset), the log ends at \(expected)"))
                    }
                    continue
                }
                if segmentFacts.indexNeedsRebuild {
                    moveIndexes(segment, "rebuilt from the log")
                    rebuild(segment.baseOffset)
                }
                keptEnd = segment.baseOffset
                continue
            }
            // Nothing valid from the first byte: the whole segment, and what follows, goes.
            guard segmentFacts.chainEndPosition > 0, let chainStart = segmentFacts.firstBatchOffset else {
                let reason = segmentFacts.chainBreak.map { "\($0.kind.rawValue) at byte \($0.position)" } ?? "no valid batch"
                for file in segment.paths { actions.append(.moveAside(path: file, reason: "\(reason): nothing in it can be kept")) }
                cutAt = "\(FileSystem.baseName(log)):\(segmentFacts.chainBreak?.position ?? 0)"
                continue
            }
            var base = segment.baseOffset
            var logPath = log
            if chainStart != segment.baseOffset {
                let continues = expected.map { $0 == chainStart } ?? true
                if continues && !existingBases.contains(chainStart) {
                    let target = FileSystem.parent(log) + "/" + SegmentFileName.name(chainStart, SegmentFileName.log)
                    actions.append(.rename(from: log, to: target,
                                           reason: "misnamed-segment: its first batch has offset \(chainStart)"))
                    moveIndexes(segment, "index of the renamed segment, rebuilt from the log")
                    base = chainStart
                    logPath = target
                    rebuild(base)
                } else {
                    for file in segment.paths {
                        actions.append(.moveAside(path: file, reason: "misnamed-segment: its first batch (offset \(chainStart)) does not continue the log"))
                    }
                    cutAt = "\(FileSystem.baseName(log)):0"
                    continue
                }
            }
            if let expected, base != expected {
                for file in segment.paths {
                    actions.append(.moveAside(path: file, reason: "segment-gap: starts at \(base), the log ends at \(expected)"))
                }
                cutAt = "\(FileSystem.baseName(log)):0"
                continue
            }
            if let chainBreak = segmentFacts.chainBreak {
                let cut = segmentFacts.fileBytes - chainBreak.position
                let laterData = facts.segments[(index + 1)...].contains { $0.fileBytes > 0 }
                let valid = chainBreak.firstValidAfter == nil ? 0 : max(chainBreak.validBatchesAfter, 1)
                let what: String
                if chainBreak.kind == .invalidRecords {
                    let after = valid == 0 ? "it is" : "it and the \(valid) valid batch\(valid == 1 ? "" : "es") after it are"
                    what = "invalid-records: the batch's CRC matches but its records do not decode; \(after) kept in quarantine"
                } else if valid == 0 {
                    what = laterData ? "\(chainBreak.kind.rawValue); nothing valid follows in this segment, later segments are kept in quarantine"
                        : "torn tail (\(chainBreak.kind.rawValue))"
                } else {
                    what = "\(chainBreak.kind.rawValue); \(valid) valid batch\(valid == 1 ? "" : "es") after it \(valid == 1 ? "is" : "are") kept in quarantine"
                }
                actions.append(.truncate(path: logPath, position: chainBreak.position, cutBytes: cut, reason: what))
                if segment.offsetIndex != nil || segment.timeIndex != nil, base == segment.baseOffset {
                    moveIndexes(segment, "index of the cut segment, rebuilt from the log")
                }
                rebuild(base)
                cutAt = "\(FileSystem.baseName(logPath)):\(chainBreak.position)"
            } else if segmentFacts.indexNeedsRebuild && base == segment.baseOffset {
                moveIndexes(segment, "damaged, untrimmed or missing index, rebuilt from the log")
                rebuild(base)
            }
            expected = segmentFacts.chainNextOffset
            keptEnd = segmentFacts.chainNextOffset
        }

        let segmentsMoved = actions.contains { action in
            if case .moveAside(let path, _) = action { return segments.contains { $0.paths.contains(path) } }
            return false
        }
        if segmentsMoved, rebuildFrom == nil {
            // The last kept segment becomes the active one.
            let kept = segments.filter { segment in
                !actions.contains { if case .moveAside(let path, _) = $0 { return path == segment.log } else { return false } }
            }
            rebuild(kept.last?.baseOffset ?? 0)
        }
        if let from = rebuildFrom {
            if let checkpoint = facts.checkpoint {
                actions.append(.rewriteCheckpoint(recoveryPoint: min(checkpoint.recoveryPoint, from), logStartOffset: checkpoint.logStartOffset))
            }
            actions.append(.rebuildIndexes(fromOffset: from, reason: "so the indexes and checkpoint match the log"))
        }
        let logEndOffset = actions.isEmpty ? (facts.logEndOffset ?? 0) : (keptEnd ?? facts.checkpoint?.logStartOffset ?? 0)
        return RepairPlan(partition: path, actions: actions, problemsFound: report.total, unaddressed: unaddressed, config: config,
                          facts: facts, logEndOffset: logEndOffset)
    }
}
