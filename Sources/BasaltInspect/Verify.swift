import Basalt

/// `basalt-inspect verify PATH`: checks a store, a partition directory or one segment
/// and reports every problem with its file and byte position.
///
/// Checks every batch's bounds and CRC, offsets increasing and contiguous within and
/// across segments, every index entry against the log, files named by their base
/// offset, and no stray files; for a store also topic descriptions, cursor files,
/// missing partitions and committed offsets past the log end. Reads each `.log` once,
/// through a fixed window, so memory does not grow with file size.
///
/// Exit status: 0 clean, 1 problems found, 2 usage or I/O error.
public struct Verify: Sendable {
    /// The store, partition directory or segment file (`.log`, `.index`, `.timeindex`).
    public var path: String
    /// One JSON document on standard output instead of text (schema in docs/inspect.md).
    public var json: Bool
    /// Also decode every record of every batch Basalt can decompress.
    public var deep: Bool
    /// Largest batch read whole for `deep`.
    public var maxBatchBytes: Int

    /// Creates the command.
    public init(path: String, json: Bool = false, deep: Bool = false, maxBatchBytes: Int = 64 << 20) {
        self.path = path
        self.json = json
        self.deep = deep
        self.maxBatchBytes = maxBatchBytes
    }

    /// The result of a verification.
    public struct Outcome: Sendable {
        /// What the path turned out to be: `store`, `partition` or `segment`.
        public var target: String
        /// Problems kept (all of them unless one file had very many of one kind).
        public var problems: [Problem]
        /// Every problem found.
        public var problemCount: Int
        /// Problems not kept, by file and kind.
        public var suppressed: [ProblemReport.Suppressed]
        /// Segments, batches and bytes of `.log` walked.
        public var segments: Int
        public var batches: Int
        public var bytes: Int64
        /// Wall-clock time of the scan.
        public var seconds: Double
        /// 0 clean, 1 problems, 2 something could not be read.
        public var exitStatus: ExitStatus
    }

    /// Runs the command, writing its report to `console`.
    public func run(on console: Console) -> ExitStatus {
        let report = ProblemReport(observer: json ? nil : { console.line($0.text) })
        let outcome: Outcome
        do {
            outcome = try check(report: report, console: console)
        } catch {
            console.note("basalt-inspect: \(error)")
            return .failure
        }
        if json {
            console.line(Self.json(outcome, path: path).text)
        } else {
            for suppressed in outcome.suppressed {
                console.line("\(suppressed.path): … and \(suppressed.count) more \(suppressed.kind.rawValue) problems")
            }
            let scanned = "\(outcome.segments) segment\(outcome.segments == 1 ? "" : "s"), \(outcome.batches) batches, "
                + "\(HumanReadable.bytes(outcome.bytes)) in \(HumanReadable.decimal(outcome.seconds, places: 2)) s "
                + "(\(HumanReadable.rate(bytes: outcome.bytes, seconds: outcome.seconds)))"
            if outcome.problemCount == 0 {
                console.line("OK: \(outcome.target) \(path): \(scanned)")
            } else {
                console.line("\(outcome.problemCount) problem\(outcome.problemCount == 1 ? "" : "s") found in \(outcome.target) \(path): \(scanned)")
                let kinds = Set(outcome.problems.map(\.kind)).union(outcome.suppressed.map(\.kind)).sorted()
                for kind in kinds {
                    console.line("  \(kind.rawValue): \(kind.meaning)")
                    console.line("    → \(kind.action)")
                }
            }
        }
        return outcome.exitStatus
    }

    /// Verifies without printing problems (they go to `report`, and its observer).
    ///
    /// - Throws: ``InspectError`` when the path cannot be read at all.
    public func check(report: ProblemReport = ProblemReport(), console: Console? = nil) throws(InspectError) -> Outcome {
        let start = ProgressBar.now()
        let target = try InspectTarget.classify(path)
        let progress = console.map { ProgressBar(console: $0, totalBytes: (try? Self.logBytes(target)) ?? 0, label: "verify") }
        defer { progress?.finish() }
        var segmentOptions = SegmentVerifier()
        segmentOptions.deep = deep
        segmentOptions.maxBatchBytes = maxBatchBytes
        let partitionVerifier = PartitionVerifier(segmentOptions: segmentOptions, progress: progress)
        let segments: [SegmentFacts]
        let kind: String
        switch target {
        case .store(let directory):
            let facts = try StoreVerifier(partitionVerifier: partitionVerifier).verify(directory, report: report)
            segments = facts.partitions.flatMap(\.segments)
            kind = "store"
        case .partition(let directory):
            segments = try partitionVerifier.verify(directory, report: report).segments
            kind = "partition"
        case .log(let file), .offsetIndex(let file), .timeIndex(let file):
            let files = try Self.segmentFiles(for: file)
            var verifier = segmentOptions
            if let progress {
                progress.startFile()
                verifier.progress = { progress.update(fileBytes: $0) }
            }
            segments = [try verifier.verify(files, report: report)]
            kind = "segment"
        }
        let seconds = Double(ProgressBar.now() - start) / 1e9
        return Outcome(
            target: kind, problems: report.problems, problemCount: report.total, suppressed: report.suppressed,
            segments: segments.count, batches: segments.reduce(0) { $0 + $1.batches },
            bytes: segments.reduce(0) { $0 + $1.fileBytes }, seconds: seconds, exitStatus: report.exitStatus)
    }

    /// The files of the segment that `file` (a `.log`, `.index` or `.timeindex`) belongs to.
    static func segmentFiles(for file: String) throws(InspectError) -> SegmentVerifier.Files {
        let directory = FileSystem.parent(file)
        let name = FileSystem.baseName(file)
        let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        let parsed = SegmentFileName.parse(name)
        func sibling(_ fileExtension: String) throws(InspectError) -> String? {
            let path = directory + "/" + stem + "." + fileExtension
            return try FileSystem.info(path) != nil ? path : nil
        }
        guard let log = try sibling(SegmentFileName.log) else {
            throw InspectError.unsupportedFile(path: file, reason: "no \(stem).\(SegmentFileName.log) next to it to check against")
        }
        return SegmentVerifier.Files(log: log, baseOffset: parsed?.baseOffset, offsetIndex: try sibling(SegmentFileName.offsetIndex),
                                     timeIndex: try sibling(SegmentFileName.timeIndex), expectIndexes: parsed != nil)
    }

    /// Bytes of `.log` files under the target, for the progress bar.
    static func logBytes(_ target: InspectTarget) throws(InspectError) -> Int64 {
        func partitionBytes(_ directory: String) throws(InspectError) -> Int64 {
            var total: Int64 = 0
            for name in try FileSystem.entries(directory) where SegmentFileName.parse(name)?.fileExtension == SegmentFileName.log {
                total += (try FileSystem.info(directory + "/" + name))?.size ?? 0
            }
            return total
        }
        switch target {
        case .store(let directory):
            var total: Int64 = 0
            for (_, partition) in try StoreVerifier.partitionDirectories(directory) { total += (try? partitionBytes(partition)) ?? 0 }
            return total
        case .partition(let directory):
            return try partitionBytes(directory)
        case .log(let file), .offsetIndex(let file), .timeIndex(let file):
            return (try FileSystem.info(file))?.size ?? 0
        }
    }

    /// The JSON document of an outcome (schema in docs/inspect.md).
    static func json(_ outcome: Outcome, path: String) -> JSONValue {
        .object([
            ("version", .int(1)), ("command", .string("verify")), ("path", .string(path)), ("target", .string(outcome.target)),
            ("ok", .bool(outcome.problemCount == 0)), ("exitStatus", .int(Int(outcome.exitStatus.rawValue))),
            ("problemCount", .int(outcome.problemCount)),
            ("problems", .array(outcome.problems.map(\.json))),
            ("suppressed", .array(outcome.suppressed.map {
                .object([("file", .string($0.path)), ("kind", .string($0.kind.rawValue)), ("count", .int($0.count))])
            })),
            ("scanned", .object([
                ("segments", .int(outcome.segments)), ("batches", .int(outcome.batches)), ("bytes", .int(outcome.bytes)),
                ("seconds", .double(HumanReadable.rounded(outcome.seconds, places: 3))),
            ])),
        ])
    }
}
