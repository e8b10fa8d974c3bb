import Basalt

/// What is in a partition directory, sorted out by name: segments (by base offset, with
/// whichever of their three files exist), the checkpoint, files Kafka keeps beside its
/// segments, quarantine directories left by `repair`, and everything else.
struct PartitionDirectory {
    /// The files of one base offset.
    struct Segment: Sendable {
        var baseOffset: Int64
        var log: String?
        var offsetIndex: String?
        var timeIndex: String?

        var files: SegmentVerifier.Files? {
            log.map { SegmentVerifier.Files(log: $0, baseOffset: baseOffset, offsetIndex: offsetIndex, timeIndex: timeIndex) }
        }

        /// Every file of the segment that exists.
        var paths: [String] { [log, offsetIndex, timeIndex].compactMap { $0 } }
    }

    /// A file that does not belong, and why.
    struct Misfit: Sendable {
        var path: String
        var kind: ProblemKind
        var reason: String
    }

    /// Files Apache Kafka keeps in a partition directory that Basalt neither writes nor
    /// needs; their presence marks a directory Kafka wrote.
    static let kafkaFileNames: Set<String> = ["leader-epoch-checkpoint", "partition.metadata", "cleaner-offset-checkpoint"]
    /// Files Basalt writes beside the segments that verify reads no facts from: the high
    /// watermark of a replicated partition (cluster mode).
    static let basaltFileNames: Set<String> = [PartitionLog.highWatermarkFileName]
    /// Companion extensions Kafka writes beside a segment.
    static let kafkaExtensions: Set<String> = ["txnindex", "snapshot"]
    /// Suffixes of Kafka's transient segment files.
    static let kafkaTransientSuffixes = [".deleted", ".cleaned", ".swap"]
    /// Prefix of the directories `repair` moves files into.
    static let quarantinePrefix = "quarantine-"

    let path: String
    /// By base offset, including bases with index files only (orphans).
    var segments: [Segment] = []
    /// The checkpoint's path, when the file exists.
    var checkpoint: String?
    var misfits: [Misfit] = []
    var kafkaFiles: [String] = []
    var quarantines: [String] = []

    /// Segments that have a `.log`.
    var logSegments: [Segment] { segments.filter { $0.log != nil } }
    /// Whether Kafka files show that Kafka wrote this directory. Basalt writes some of
    /// them too (`leader-epoch-checkpoint` in cluster mode, `cleaner-offset-checkpoint` for
    /// compacted topics, producer `.snapshot` files), but Kafka never writes Basalt's
    /// `partition.checkpoint`, so a directory holding one is Basalt's.
    var isKafka: Bool { !kafkaFiles.isEmpty && checkpoint == nil }

    /// Reads the directory's entries (names and file types only).
    static func read(_ path: String) throws(InspectError) -> PartitionDirectory {
        var directory = PartitionDirectory(path: path)
        var byBase: [Int64: Segment] = [:]
        for name in try FileSystem.entries(path) {
            let child = path + "/" + name
            let kind = (try? FileSystem.info(child))??.kind
            if kind == .directory {
                if name.hasPrefix(quarantinePrefix) {
                    directory.quarantines.append(child)
                } else {
                    directory.misfits.append(Misfit(path: child, kind: .strayFile, reason: "a directory inside a partition directory"))
                }
                continue
            }
            if name == PartitionCheckpointFile.fileName {
                directory.checkpoint = child
                continue
            }
            if name == PartitionCheckpointFile.temporaryFileName || name.hasSuffix(".tmp") {
                directory.misfits.append(Misfit(path: child, kind: .leftoverFile, reason: "temporary file of an interrupted write"))
                continue
            }
            if kafkaFileNames.contains(name) {
                directory.kafkaFiles.append(child)
                continue
            }
            if basaltFileNames.contains(name) { continue }
            guard let parsed = SegmentFileName.parse(name) else {
                directory.misfits.append(Misfit(path: child, kind: .strayFile, reason: Self.strayReason(name)))
                continue
            }
            if let suffix = kafkaTransientSuffixes.first(where: { parsed.fileExtension.hasSuffix($0) }) {
                directory.misfits.append(Misfit(path: child, kind: .leftoverFile,
                                                reason: "a \(suffix) file left by an interrupted clean, swap or delete (Basalt's log cleaner: opening the store removes a .cleaned file and completes a .swap)"))
                continue
            }
            if kafkaExtensions.contains(parsed.fileExtension) {
                directory.kafkaFiles.append(child)
                continue
            }
            guard kind == .regular else {
                directory.misfits.append(Misfit(path: child, kind: .strayFile, reason: "named like a segment file but not a regular file"))
                continue
            }
            var segment = byBase[parsed.baseOffset] ?? Segment(baseOffset: parsed.baseOffset)
            switch parsed.fileExtension {
            case SegmentFileName.log: segment.log = child
            case SegmentFileName.offsetIndex: segment.offsetIndex = child
            case SegmentFileName.timeIndex: segment.timeIndex = child
            default:
                directory.misfits.append(Misfit(path: child, kind: .strayFile,
                                                reason: "unknown extension .\(parsed.fileExtension) (segments are .log, .index, .timeindex)"))
                continue
            }
            byBase[parsed.baseOffset] = segment
        }
        directory.segments = byBase.values.sorted { $0.baseOffset < $1.baseOffset }
        return directory
    }

    private static func strayReason(_ name: String) -> String {
        let known = [SegmentFileName.log, SegmentFileName.offsetIndex, SegmentFileName.timeIndex]
        if let dot = name.lastIndex(of: "."), known.contains(String(name[name.index(after: dot)...])) {
            return "not named by a 20-digit base offset"
        }
        return "not a file Basalt uses"
    }

    /// `(topic, partition)` from a directory named `<topic>-<partition>`, or nil.
    static func topicPartition(fromName name: String) -> TopicPartition? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        let topic = String(name[..<dash])
        let digits = name[name.index(after: dash)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int32(digits),
              (try? NameRules.validateTopic(topic)) != nil else { return nil }
        return TopicPartition(topic: topic, partition: number)
    }
}
