import Basalt

/// Dumping `.index` and `.timeindex` files: every entry, checked against the `.log`.
extension Dump {
    /// Counts and prints as the index checks visit entries.
    private final class EntryPrinter {
        var shown = 0
        var problems = 0
        var limitReached = false
    }

    /// What a first walk of the `.log` found: where batches end, the last offset, the
    /// largest timestamp.
    private func logFacts(_ logPath: String, baseOffset: Int64) throws(InspectError) -> SegmentFacts {
        let files = SegmentVerifier.Files(log: logPath, baseOffset: baseOffset, offsetIndex: nil, timeIndex: nil, expectIndexes: false)
        return try SegmentVerifier().verify(files, report: ProblemReport())
    }

    private func header(_ file: String, kind: String, entries: Int, bytes: Int64, baseOffset: Int64?, log: String?, console: Console) {
        if json {
            console.line(JSONValue.object([
                ("type", .string("index")), ("path", .string(file)), ("index", .string(kind)), ("entries", .int(entries)),
                ("bytes", .int(bytes)), ("baseOffset", .optional(baseOffset)), ("log", .optional(log)),
            ]).text)
        } else {
            let against = log.map { "checked against \(FileSystem.baseName($0))" } ?? "no .log next to it or no base offset in the name: entries not checked"
            console.line("# \(file): \(kind) index, \(entries) entr\(entries == 1 ? "y" : "ies") (\(bytes) bytes), \(against)")
        }
    }

    private func footer(_ printer: EntryPrinter, console: Console) {
        if json {
            console.line(JSONValue.object([("type", .string("end")), ("entries", .int(printer.shown)), ("problems", .int(printer.problems))]).text)
        } else {
            let limited = printer.limitReached ? " (stopped at --limit)" : ""
            console.line("# \(printer.shown) entr\(printer.shown == 1 ? "y" : "ies") shown\(limited); \(printer.problems) problem\(printer.problems == 1 ? "" : "s")")
        }
    }

    private func note(_ kind: ProblemKind, _ message: String, position: Int64, console: Console) {
        if json {
            console.line(JSONValue.object([("type", .string("damage")), ("position", .int(position)), ("kind", .string(kind.rawValue)),
                                           ("message", .string(message))]).text)
        } else {
            console.line("!! position: \(position) \(kind.rawValue): \(message)")
        }
    }

    private func entryLine(slot: Int, fields: [(String, Int64)], issues: [EntryIssue]) -> String {
        if json {
            var members: [(String, JSONValue)] = [("type", .string("entry")), ("slot", .int(slot))]
            members += fields.map { ($0.0, .int($0.1)) }
            members.append(("ok", .bool(issues.isEmpty)))
            members.append(("problems", .array(issues.map { .object([("kind", .string($0.kind.rawValue)), ("message", .string($0.message))]) })))
            return JSONValue.object(members).text
        }
        let text = "slot: \(slot) " + fields.map { "\($0.0): \($0.1)" }.joined(separator: " ")
        if issues.isEmpty { return text + " ok" }
        return text + " !! " + issues.map { "\($0.kind.rawValue): \($0.message)" }.joined(separator: "; ")
    }

    /// Dumps an index file laid out as `Rules` says (a `.index` with
    /// ``OffsetIndexRules``, a `.timeindex` with ``TimeIndexRules``); returns the number
    /// of problems.
    func dumpIndex<Rules: IndexRules>(_ file: String, rules: (Int64) -> Rules, console: Console) throws(InspectError) -> Int {
        let storage = try FileSystem.openRegularFile(file)
        let printer = EntryPrinter()
        do {
            var reader = try IndexFileReader<Rules.Entry>(file: storage)
            let baseOffset = SegmentFileName.parse(FileSystem.baseName(file))?.baseOffset
            let logPath = baseOffset.flatMap { _ in try? Verify.segmentFiles(for: file).log }
            header(file, kind: Rules.indexName, entries: reader.entryCount, bytes: reader.fileSize, baseOffset: baseOffset, log: logPath, console: console)
            let used = try IndexTail.usedCount(&reader, isZero: Rules.isZero)
            let visit: IndexCheck<Rules>.Visit = { [self] slot, entry, issues in
                let offset = Rules.offset(entry, baseOffset: baseOffset ?? 0)
                printer.problems += issues.count
                if let fromOffset, offset < fromOffset, issues.isEmpty { return }
                if let limit, printer.shown >= limit {
                    printer.limitReached = true
                    return
                }
                printer.shown += 1
                console.line(entryLine(slot: slot, fields: Rules.fields(entry, baseOffset: baseOffset ?? 0).map { ($0.name, $0.value) }, issues: issues))
            }
            if let baseOffset, let logPath {
                let facts = try logFacts(logPath, baseOffset: baseOffset)
                var check = IndexCheck(reader: reader, rules: rules(baseOffset), usedCount: used, known: facts, visit: visit)
                var walk = try SegmentWalk(file: FileSystem.openRegularFile(logPath))
                walking: while !printer.limitReached {
                    switch try walk.next() {
                    case .end: break walking
                    case .damaged: continue
                    case .batch(let position, let header, _): try check.observe(position: position, header: header)
                    }
                }
                if !printer.limitReached { try check.finish(log: facts) }
            } else {
                for slot in 0..<used where !printer.limitReached { visit(slot, try reader.entry(at: slot), []) }
            }
            if reader.trailingBytes != 0 {
                printer.problems += 1
                note(.indexSize, "\(reader.trailingBytes) bytes after the last whole entry", position: Int64(reader.entryCount * Rules.Entry.size), console: console)
            }
            if used < reader.entryCount {
                printer.problems += 1
                note(.indexNotTrimmed, "slots \(used) to \(reader.entryCount - 1) are zero-filled preallocation",
                     position: Int64(used * Rules.Entry.size), console: console)
            }
        } catch {
            throw InspectError.from(error, path: file)
        }
        footer(printer, console: console)
        return printer.problems
    }
}
