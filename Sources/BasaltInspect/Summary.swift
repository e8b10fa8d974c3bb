import Basalt

/// `basalt-inspect summary STORE`: per topic and partition, the segments, offset range,
/// bytes on disk, records, compression ratio and time range; for each consumer cursor,
/// its committed offset and lag. A table, or one JSON document with ``json``.
///
/// Walks every `.log` once (through the scanner's fixed window) and decompresses
/// compressed batches one at a time to measure the compression ratio. Exits 0 when the
/// summary is printed, even if some partitions have problems (their PROBLEMS column says
/// how many; `verify` lists them), and 2 when the store cannot be read.
public struct Summary: Sendable {
    /// The store directory (or one partition directory).
    public var path: String
    /// One JSON document instead of tables (schema in docs/inspect.md).
    public var json: Bool

    /// Creates the command.
    public init(path: String, json: Bool = false) {
        self.path = path
        self.json = json
    }

    /// What the summary shows, gathered.
    struct Gathered {
        var target: String
        var partitions: [PartitionFacts]
        var groups: [CursorStore.GroupCommits]
        var problemCount: Int
    }

    /// Runs the command, writing to `console`.
    public func run(on console: Console) -> ExitStatus {
        let gathered: Gathered
        do {
            gathered = try gather(console: console)
        } catch {
            console.note("basalt-inspect: \(error)")
            return .failure
        }
        if json {
            console.line(Self.json(gathered, path: path).text)
        } else {
            for line in Self.text(gathered, path: path) { console.line(line) }
        }
        return .clean
    }

    /// Walks the store (or partition) and gathers the figures.
    func gather(console: Console? = nil) throws(InspectError) -> Gathered {
        let target = try InspectTarget.classify(path)
        let report = ProblemReport()
        let progress = console.map { ProgressBar(console: $0, totalBytes: (try? Verify.logBytes(target)) ?? 0, label: "summary") }
        defer { progress?.finish() }
        var segmentOptions = SegmentVerifier()
        segmentOptions.measureCompression = true
        let partitionVerifier = PartitionVerifier(segmentOptions: segmentOptions, progress: progress)
        switch target {
        case .store(let directory):
            let facts = try StoreVerifier(partitionVerifier: partitionVerifier).verify(directory, report: report)
            return Gathered(target: "store", partitions: facts.partitions, groups: facts.groups, problemCount: report.total)
        case .partition(let directory):
            let facts = try partitionVerifier.verify(directory, report: report)
            return Gathered(target: "partition", partitions: [facts], groups: [], problemCount: report.total)
        case .log(let file), .offsetIndex(let file), .timeIndex(let file):
            throw InspectError.unsupportedFile(path: file, reason: "summary takes a store or partition directory (dump shows one file)")
        }
    }

    private static func topicName(_ facts: PartitionFacts) -> String {
        facts.topicPartition?.topic ?? FileSystem.baseName(facts.path)
    }

    private static func ratioText(_ ratio: Double?) -> String {
        ratio.map { HumanReadable.decimal($0, places: 2) } ?? "-"
    }

    /// The tables.
    static func text(_ gathered: Gathered, path: String) -> [String] {
        var lines: [String] = []
        let bytes = gathered.partitions.reduce(0) { $0 + $1.bytes }
        let topics = Set(gathered.partitions.map(topicName)).count
        lines.append("\(gathered.target) \(path): \(topics) topic\(topics == 1 ? "" : "s"), \(gathered.partitions.count) partition\(gathered.partitions.count == 1 ? "" : "s"), \(HumanReadable.bytes(bytes)) on disk, \(gathered.problemCount) problem\(gathered.problemCount == 1 ? "" : "s")")
        lines.append("")
        var table = TextTable(["TOPIC", "PARTITION", "SEGMENTS", "START", "END", "RECORDS", "ON DISK", "RATIO",
                               "FIRST TIMESTAMP", "LAST TIMESTAMP", "PROBLEMS"], numericColumns: [1, 2, 3, 4, 5, 6, 7, 10])
        for facts in gathered.partitions {
            table.add([
                topicName(facts), facts.topicPartition.map { String($0.partition) } ?? "-", String(facts.segments.count),
                facts.logStartOffset.map(String.init) ?? "-", facts.logEndOffset.map(String.init) ?? "-", String(facts.records),
                HumanReadable.bytes(facts.bytes), ratioText(facts.compressionRatio),
                facts.firstTimestamp.map(HumanReadable.timestamp) ?? "-", facts.maxTimestamp.map(HumanReadable.timestamp) ?? "-",
                String(facts.problems),
            ])
        }
        lines += table.lines
        var codecs: [String: Int] = [:]
        for facts in gathered.partitions {
            for (codec, count) in facts.codecBatches { codecs[codec, default: 0] += count }
        }
        if !codecs.isEmpty {
            let decoded = Set(CompressionCodec.allCases.map(\.description))
            let parts = codecs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\(decoded.contains($0.key) ? "" : " (not decoded; left out of RATIO)")" }
            lines.append("")
            lines.append("batches by codec: " + parts.joined(separator: ", "))
        }
        if !gathered.groups.isEmpty {
            lines.append("")
            var cursors = TextTable(["GROUP", "TOPIC", "PARTITION", "COMMITTED", "END", "LAG"], numericColumns: [2, 3, 4, 5])
            for row in cursorRows(gathered) {
                cursors.add([row.group, row.topicPartition.topic, String(row.topicPartition.partition), String(row.committed),
                             row.end.map(String.init) ?? "-", row.lag.map(String.init) ?? "-"])
            }
            lines += cursors.lines
        }
        return lines
    }

    struct CursorRow {
        var group: String
        var topicPartition: TopicPartition
        var committed: Int64
        var metadata: String
        var end: Int64?
        var lag: Int64? { end.map { $0 - committed } }
    }

    static func cursorRows(_ gathered: Gathered) -> [CursorRow] {
        var rows: [CursorRow] = []
        for group in gathered.groups.sorted(by: { $0.group < $1.group }) {
            for (topicPartition, committed) in group.offsets.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
                let end = gathered.partitions.first { $0.topicPartition == topicPartition }?.logEndOffset
                rows.append(CursorRow(group: group.group, topicPartition: topicPartition, committed: committed.offset,
                                      metadata: committed.metadata, end: end))
            }
        }
        return rows
    }

    /// The JSON document (schema in docs/inspect.md).
    static func json(_ gathered: Gathered, path: String) -> JSONValue {
        var topics: [(String, [PartitionFacts])] = []
        for facts in gathered.partitions {
            let name = topicName(facts)
            if let index = topics.firstIndex(where: { $0.0 == name }) {
                topics[index].1.append(facts)
            } else {
                topics.append((name, [facts]))
            }
        }
        let topicValues: [JSONValue] = topics.map { name, partitions in
            .object([
                ("name", .string(name)),
                ("partitions", .array(partitions.map { facts in
                    .object([
                        ("partition", facts.topicPartition.map { .int(Int64($0.partition)) } ?? .null),
                        ("path", .string(facts.path)), ("segments", .int(facts.segments.count)),
                        ("logStartOffset", .optional(facts.logStartOffset)), ("logEndOffset", .optional(facts.logEndOffset)),
                        ("records", .int(facts.records)), ("batches", .int(facts.batches)), ("bytes", .int(facts.bytes)),
                        ("measuredBytes", .int(facts.measuredBytes)), ("uncompressedBytes", .int(facts.uncompressedBytes)),
                        ("compressionRatio", facts.compressionRatio.map { .double(HumanReadable.rounded($0, places: 3)) } ?? .null),
                        ("firstTimestamp", .optional(facts.firstTimestamp)), ("maxTimestamp", .optional(facts.maxTimestamp)),
                        ("codecs", .object(facts.codecBatches.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                        ("cleanShutdown", facts.checkpoint.map { .bool($0.clean != nil) } ?? .null),
                        ("problems", .int(facts.problems)),
                    ])
                })),
            ])
        }
        let cursorValues: [JSONValue] = cursorRows(gathered).map { row in
            .object([
                ("group", .string(row.group)), ("topic", .string(row.topicPartition.topic)),
                ("partition", .int(Int64(row.topicPartition.partition))), ("committedOffset", .int(row.committed)),
                ("metadata", .string(row.metadata)), ("logEndOffset", .optional(row.end)), ("lag", .optional(row.lag)),
            ])
        }
        return .object([
            ("version", .int(1)), ("command", .string("summary")), ("path", .string(path)), ("target", .string(gathered.target)),
            ("problemCount", .int(gathered.problemCount)), ("topics", .array(topicValues)), ("cursors", .array(cursorValues)),
        ])
    }
}
