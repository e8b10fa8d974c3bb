import Basalt

/// Verifies a partition directory: its files (named by base offset, nothing stray),
/// each segment, offsets running on from one segment to the next, and the checkpoint.
struct PartitionVerifier {
    /// Options passed to every segment.
    var segmentOptions = SegmentVerifier()
    /// Drawn as segments are walked; nil for none.
    var progress: ProgressBar?

    /// Verifies the directory at `path`, adding problems to `report`.
    ///
    /// - Throws: ``InspectError`` when the directory cannot be listed.
    func verify(_ path: String, report: ProblemReport) throws(InspectError) -> PartitionFacts {
        let totalBefore = report.total
        let directory = try PartitionDirectory.read(path)
        var facts = PartitionFacts(path: path, topicPartition: PartitionDirectory.topicPartition(fromName: FileSystem.baseName(path)))

        for misfit in directory.misfits {
            report.add(Problem(misfit.kind, path: misfit.path, misfit.reason))
        }
        if directory.checkpoint != nil {
            facts.checkpoint = PartitionCheckpointFile.read(directory: path)
            if facts.checkpoint == nil {
                facts.checkpointUnreadable = true
                report.add(Problem(.badCheckpoint, path: path + "/" + PartitionCheckpointFile.fileName,
                                   "not a checkpoint this version of Basalt reads"))
            }
        }
        for segment in directory.segments where segment.log == nil {
            for file in segment.paths {
                report.add(Problem(.orphanIndex, path: file, "no \(SegmentFileName.name(segment.baseOffset, SegmentFileName.log)) next to it"))
            }
        }

        let segments = directory.logSegments
        let sizes = segments.map { segment in (segment.log.flatMap { try? FileSystem.info($0) }?.size) ?? 0 }
        var previousNext: Int64?
        var previousPath: String?
        for (index, segment) in segments.enumerated() {
            guard let files = segment.files else { continue }
            var verifier = segmentOptions
            verifier.followedByData = sizes[(index + 1)...].contains { $0 > 0 }
            if let progress {
                progress.startFile()
                verifier.progress = { progress.update(fileBytes: $0) }
            }
            let segmentFacts: SegmentFacts
            do {
                segmentFacts = try verifier.verify(files, report: report)
            } catch {
                report.add(Problem(.unreadable, path: files.log, "\(error)"))
                facts.unreadableSegments.append(files.log)
                progress?.finishFile(bytes: sizes[index])
                continue
            }
            progress?.finishFile(bytes: segmentFacts.fileBytes)
            let isLast = index == segments.count - 1
            if segmentFacts.isEmpty && !isLast {
                report.add(Problem(.emptySegment, path: files.log,
                                   "empty segment at offset \(segment.baseOffset), followed by \(FileSystem.baseName(segments[index + 1].log ?? ""))"))
            } else if let previousNext, segment.baseOffset != previousNext {
                let difference = segment.baseOffset - previousNext
                let what = difference > 0 ? "\(difference) offsets are missing" : "\(-difference) offsets overlap"
                report.add(Problem(.segmentGap, path: files.log, position: 0,
                                   "segment starts at offset \(segment.baseOffset) but \(FileSystem.baseName(previousPath ?? "")) ends at offset \(previousNext) (\(what))"))
            }
            if let logStart = facts.checkpoint?.logStartOffset, !isLast, segments[index + 1].baseOffset <= logStart {
                report.add(Problem(.belowLogStart, path: files.log,
                                   "every offset in it is below the log start offset \(logStart) in \(PartitionCheckpointFile.fileName)"))
            }
            if !(segmentFacts.isEmpty && !isLast), let next = segmentFacts.nextOffset {
                previousNext = next
                previousPath = files.log
            }
            facts.segments.append(segmentFacts)
        }
        facts.problems = report.total - totalBefore
        return facts
    }
}
