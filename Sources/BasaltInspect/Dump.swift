import Basalt

/// `basalt-inspect dump FILE`: prints what is in one segment file.
///
/// For a `.log`: one line per batch (offsets, record count, position, size, codec,
/// timestamps, CRC ok or bad, producer fields, flags), and with ``records`` each record
/// (offset, timestamp, key, value, headers, shown safely). For a `.index` or
/// `.timeindex`: its entries, each checked against the segment's `.log` (out of order,
/// beyond the log's end, not at a batch start).
///
/// The `.log` is read through a fixed window; with ``records`` one batch at a time, up
/// to ``maxBatchBytes``. Exit status: 0 nothing wrong, 1 damage found, 2 the file cannot
/// be read or is not a segment file.
public struct Dump: Sendable {
    /// The `.log`, `.index` or `.timeindex` file.
    public var path: String
    /// Also print every record of each batch.
    public var records: Bool
    /// Skip batches (and records, and index entries) below this offset.
    public var fromOffset: Int64?
    /// Stop after this many batches (index entries for an index file).
    public var limit: Int?
    /// JSON Lines on standard output instead of text (schema in docs/inspect.md).
    public var json: Bool
    /// Largest batch read whole to decode its records.
    public var maxBatchBytes: Int
    /// Most characters of a key or value shown.
    public var maxValueCharacters: Int

    /// Creates the command.
    public init(path: String, records: Bool = false, fromOffset: Int64? = nil, limit: Int? = nil, json: Bool = false,
                maxBatchBytes: Int = 64 << 20, maxValueCharacters: Int = 80) {
        self.path = path
        self.records = records
        self.fromOffset = fromOffset
        self.limit = limit
        self.json = json
        self.maxBatchBytes = maxBatchBytes
        self.maxValueCharacters = maxValueCharacters
    }

    /// Runs the command, writing to `console`.
    public func run(on console: Console) -> ExitStatus {
        do {
            if let limit, limit < 0 { throw InspectError.invalidArgument("--limit must be 0 or more, got \(limit)") }
            if let fromOffset, fromOffset < 0 { throw InspectError.invalidArgument("--from-offset must be 0 or more, got \(fromOffset)") }
            guard maxBatchBytes >= RecordBatchHeader.size else {
                throw InspectError.invalidArgument("--max-batch-bytes must be at least \(RecordBatchHeader.size)")
            }
            let problems: Int
            switch try InspectTarget.classify(path) {
            case .log(let file): problems = try dumpLog(file, console: console)
            case .offsetIndex(let file): problems = try dumpIndex(file, rules: OffsetIndexRules.init, console: console)
            case .timeIndex(let file): problems = try dumpIndex(file, rules: TimeIndexRules.init, console: console)
            case .store(let directory), .partition(let directory):
                throw InspectError.unsupportedFile(
                    path: directory, reason: "is a directory; dump takes one .log, .index or .timeindex file (verify and summary take directories)")
            }
            return problems == 0 ? .clean : .problemsFound
        } catch {
            console.note("basalt-inspect: \(error)")
            return .failure
        }
    }

    var display: ByteDisplay { ByteDisplay(maxTextCharacters: maxValueCharacters) }

    /// Dumps a `.log`; returns the number of problems met.
    func dumpLog(_ file: String, console: Console) throws(InspectError) -> Int {
        let storage = try FileSystem.openRegularFile(file)
        let baseOffset = SegmentFileName.parse(FileSystem.baseName(file))?.baseOffset
        var problems = 0
        var shownBatches = 0
        var shownRecords: Int64 = 0
        do {
            var walk = try SegmentWalk(file: storage)
            if json {
                console.line(JSONValue.object([
                    ("type", .string("segment")), ("path", .string(file)), ("bytes", .int(walk.fileSize)),
                    ("baseOffset", .optional(baseOffset)),
                ]).text)
            } else {
                let name = baseOffset.map { "segment with base offset \($0)" } ?? "not named by a base offset"
                console.line("# \(file): \(name), \(walk.fileSize) bytes\(walk.fileSize == 0 ? " (empty segment: no batches)" : "")")
            }
            walking: while true {
                switch try walk.next() {
                case .end:
                    break walking
                case .damaged(let position, let damage, let resumesAt):
                    problems += 1
                    printDamage(position: position, damage: damage, resumesAt: resumesAt, fileSize: walk.fileSize, console: console)
                case .batch(let position, let header, let crcValid):
                    if let fromOffset, header.lastOffset < fromOffset { continue }
                    if let limit, shownBatches >= limit { break walking }
                    if !crcValid { problems += 1 }
                    shownBatches += 1
                    console.line(json ? Self.batchJSON(position: position, header: header, crcValid: crcValid).text
                                      : Self.batchText(position: position, header: header, crcValid: crcValid))
                    if records {
                        let (count, failed) = try printRecords(storage, position: position, header: header, crcValid: crcValid, console: console)
                        shownRecords += count
                        if failed { problems += 1 }
                    }
                }
            }
        } catch {
            throw InspectError.from(error, path: file)
        }
        if json {
            console.line(JSONValue.object([
                ("type", .string("end")), ("batches", .int(shownBatches)), ("records", .int(shownRecords)), ("problems", .int(problems)),
            ]).text)
        } else {
            let recordsText = records ? ", \(shownRecords) records" : ""
            let limited = limit.map { shownBatches >= $0 ? " (stopped at --limit \($0))" : "" } ?? ""
            console.line("# \(shownBatches) batch\(shownBatches == 1 ? "" : "es") shown\(recordsText)\(limited); \(problems) problem\(problems == 1 ? "" : "s")")
        }
        return problems
    }

    private func printDamage(position: Int64, damage: SegmentWalk.Damage, resumesAt: Int64?, fileSize: Int64, console: Console) {
        if json {
            console.line(JSONValue.object([
                ("type", .string("damage")), ("position", .int(position)), ("kind", .string(damage.kind.rawValue)),
                ("message", .string(damage.reason)), ("resumesAt", .optional(resumesAt)),
            ]).text)
        } else {
            let next = resumesAt.map { "; next batch at byte \($0)" } ?? "; nothing after it reads as a batch (\(fileSize - position) bytes to the end)"
            console.line("!! position: \(position) \(damage.kind.rawValue): \(damage.reason)\(next)")
        }
    }

    /// Prints the records of one batch; returns how many, and whether decoding failed
    /// in a way that is a problem.
    private func printRecords(
        _ storage: StorageFile, position: Int64, header: RecordBatchHeader, crcValid: Bool, console: Console
    ) throws -> (Int64, Bool) {
        func skipped(_ reason: String) {
            console.line(json ? JSONValue.object([("type", .string("records-not-decoded")), ("position", .int(position)),
                                                  ("reason", .string(reason))]).text
                              : "| records not decoded: \(reason)")
        }
        guard crcValid else {
            skipped("the batch's CRC does not match its bytes")
            return (0, false)
        }
        guard let codec = header.compression, codec.isSupported else {
            skipped("codec \(SegmentVerifier.codecName(header)) is not decoded by basalt-inspect (Kafka defines codecs 0–4)")
            return (0, false)
        }
        guard header.totalSize <= maxBatchBytes else {
            skipped("the batch is \(header.totalSize) bytes, more than --max-batch-bytes \(maxBatchBytes)")
            return (0, false)
        }
        let bytes = try storage.read(count: header.totalSize, at: position)
        let decoded: [ConsumerRecord]
        do {
            decoded = try RecordBatch(storage: bytes, allowingCompaction: true).records(from: fromOffset ?? .min)
        } catch let error as BasaltError {
            skipped("\(error)")
            return (0, true)
        }
        for record in decoded {
            if json {
                console.line(JSONValue.object([
                    ("type", .string("record")), ("offset", .int(record.offset)), ("timestamp", .int(record.timestamp)),
                    ("key", display.json(record.key)), ("value", display.json(record.value)),
                    ("headers", .array(record.headers.map { header in
                        .object([("key", .string(header.key)), ("value", display.json(header.value.map { $0[...] }))])
                    })),
                ]).text)
            } else {
                let headers = record.headers.map { header in
                    "\(display.shown(Array(header.key.utf8)[...])): \(display.text(header.value.map { $0[...] }))"
                }
                console.line("| offset: \(record.offset) timestamp: \(record.timestamp) key: \(display.text(record.key)) "
                             + "value: \(display.text(record.value)) headers: [\(headers.joined(separator: ", "))]")
            }
        }
        return (Int64(decoded.count), false)
    }

    /// One batch as a text line, with the fields kafka-dump-log prints.
    static func batchText(position: Int64, header: RecordBatchHeader, crcValid: Bool) -> String {
        let crc = crcValid ? "ok" : "BAD(stored \(SegmentVerifier.hex(header.crc)))"
        return "baseOffset: \(header.baseOffset) lastOffset: \(header.lastOffset) count: \(header.recordsCount) "
            + "position: \(position) size: \(header.totalSize) codec: \(SegmentVerifier.codecName(header)) "
            + "firstTimestamp: \(header.baseTimestamp) maxTimestamp: \(header.maxTimestamp) "
            + "timestampType: \(header.isLogAppendTime ? "logAppend" : "create") crc: \(crc) "
            + "leaderEpoch: \(header.partitionLeaderEpoch) producerId: \(header.producerId) "
            + "producerEpoch: \(header.producerEpoch) baseSequence: \(header.baseSequence) "
            + "transactional: \(header.isTransactional) control: \(header.isControl)"
    }

    /// One batch as a JSON object.
    static func batchJSON(position: Int64, header: RecordBatchHeader, crcValid: Bool) -> JSONValue {
        .object([
            ("type", .string("batch")), ("baseOffset", .int(header.baseOffset)), ("lastOffset", .int(header.lastOffset)),
            ("count", .int(Int64(header.recordsCount))), ("position", .int(position)), ("size", .int(header.totalSize)),
            ("codec", .string(SegmentVerifier.codecName(header))), ("firstTimestamp", .int(header.baseTimestamp)),
            ("maxTimestamp", .int(header.maxTimestamp)),
            ("timestampType", .string(header.isLogAppendTime ? "logAppend" : "create")),
            ("crcValid", .bool(crcValid)), ("crc", .int(Int64(header.crc))),
            ("leaderEpoch", .int(Int64(header.partitionLeaderEpoch))), ("producerId", .int(header.producerId)),
            ("producerEpoch", .int(Int64(header.producerEpoch))), ("baseSequence", .int(Int64(header.baseSequence))),
            ("transactional", .bool(header.isTransactional)), ("control", .bool(header.isControl)),
        ])
    }
}
