import BasaltCrashWriter
import Glibc
import Testing
@testable import Basalt
import BasaltTesting

/// `kill -9` in the middle of appends, many times over, on one log.
///
/// Each round starts the `BasaltCrashWriter` executable on the same directory. It
/// recovers the log, appends batches under ``Durability/everyAppend`` from four
/// concurrent tasks and prints one line per acknowledged append. After a random
/// 20–300 ms the test sends SIGKILL, reopens the log and checks that it opens, that
/// every acknowledged batch is there with exactly the records its seed stands for, and
/// that offsets run without a gap from 0 to the log end offset.
///
/// Rounds: `BASALT_CRASH_ROUNDS` (default 50; `make torture` sets 1000). The kill times
/// come from `BASALT_CRASH_SEED` when set, else from the clock; every failure names the
/// seed and round.
@Suite(.serialized) struct CrashTests {
    /// One acknowledged append, as the child reported it.
    struct Ack: Hashable {
        let baseOffset: Int64
        let lastOffset: Int64
        let batchSeed: UInt64
    }

    /// Past this many bytes the test checks everything and starts a fresh directory, so
    /// `make torture` stays linear in the number of rounds.
    static let generationBytes: Int64 = 48 << 20

    @Test func killDuringAppendsLosesNothingAcknowledged() async throws {
        let rounds = Self.environment("BASALT_CRASH_ROUNDS").flatMap { Int($0) } ?? 50
        let seed = Self.environment("BASALT_CRASH_SEED").flatMap { UInt64($0) } ?? UInt64(WallClock.milliseconds())
        let writer = try #require(Self.locateWriter(), """
            BasaltCrashWriter not found next to the test bundle; build it with `swift build --build-tests` \
            or set BASALT_CRASH_WRITER to its path
            """)
        var random = SeededGenerator(seed: seed)
        let root = TemporaryDirectory("basalt-crash")
        var generation = 0
        var path = root.child("log-0")
        /// Every acknowledged append of the current directory, by base offset.
        var acknowledged: [Int64: Ack] = [:]
        var previousRound: [Ack] = []
        var totalAcks = 0
        var killedEarly = 0

        for round in 0..<rounds {
            let context = "seed \(seed), round \(round), generation \(generation)"
            let childSeed = random.next()
            let output = root.child("round.out")
            let errors = root.child("round.err")
            let pid = try Self.spawn(writer, arguments: [path, String(childSeed), "4"], stdout: output, stderr: errors)
            let delayMs = Int.random(in: 20...300, using: &random)
            try await Task.sleep(for: .milliseconds(delayMs))
            #expect(kill(pid, SIGKILL) == 0, "\(context)")
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            // WIFSIGNALED / WTERMSIG: the low seven bits hold the signal.
            let signal = status & 0x7F
            if signal != SIGKILL {
                let message = String(decoding: readFile(errors), as: UTF8.self)
                Issue.record("the child exited before the kill with status \(status >> 8): \(message) (\(context))")
                killedEarly += 1
                if killedEarly > 2 { return }
            }

            let acks = try Self.parseAcks(readFile(output), context: context)
            for ack in acks {
                if let earlier = acknowledged[ack.baseOffset] {
                    Issue.record("offset \(ack.baseOffset) acknowledged twice, by seeds \(earlier.batchSeed) and \(ack.batchSeed) (\(context))")
                }
                acknowledged[ack.baseOffset] = ack
            }
            totalAcks += acks.count

            let log: PartitionLog
            do {
                log = try PartitionLog(directory: path, config: CrashWorkload.config)
            } catch {
                Issue.record("the log did not open after the kill: \(error) (\(context))")
                return
            }
            // This round's and the previous round's acknowledgements, byte for byte;
            // every batch header from 0 to the end, for gaps.
            Self.verify(log, acks: previousRound + acks, context: context)
            Self.verifyContiguous(log, context: context)
            if let highest = acks.map({ $0.lastOffset }).max() {
                #expect(log.logEndOffset > highest, "log ends at \(log.logEndOffset) below acknowledged offset \(highest) (\(context))")
            }
            previousRound = acks

            let isLast = round == rounds - 1
            let full = isLast || log.sizeInBytes > Self.generationBytes
            if full {
                // Everything acknowledged in this directory, once more.
                Self.verify(log, acks: Array(acknowledged.values), context: "\(context), full check")
                for problem in LogAudit.problems(log) { Issue.record("\(problem) (\(context))") }
            }
            // Half the rounds close cleanly, half leave the next child an unclean log.
            if round % 2 == 0 { try log.close() }
            if full && !isLast {
                generation += 1
                try Directory.removeTree(path)
                path = root.child("log-\(generation)")
                acknowledged = [:]
                previousRound = []
            }
        }
        #expect(totalAcks > rounds, "only \(totalAcks) appends acknowledged in \(rounds) rounds (seed \(seed))")
    }

    /// The checks of the crash test catch what they must: an acknowledged batch that is
    /// missing, shorter, or holds other records.
    @Test func verifierCatchesMissingAndDifferentBatches() async throws {
        let directory = TemporaryDirectory("basalt-crash")
        let log = try PartitionLog(directory: directory.child("log"), config: CrashWorkload.config)
        let seeds: [UInt64] = [11, 12, 13]
        var acks: [Ack] = []
        for seed in seeds {
            let batch = CrashWorkload.batch(seed: seed)
            let result = try await log.append(batch.records, compression: batch.compression)
            acks.append(Ack(baseOffset: result.baseOffset, lastOffset: result.lastOffset, batchSeed: seed))
        }
        Self.verify(log, acks: acks, context: "intact")
        Self.verifyContiguous(log, context: "intact")
        let end = log.logEndOffset
        let wrong: [(String, Ack)] = [
            ("another seed", Ack(baseOffset: acks[1].baseOffset, lastOffset: acks[1].lastOffset, batchSeed: 99)),
            ("past the end", Ack(baseOffset: end, lastOffset: end, batchSeed: 11)),
            ("other bounds", Ack(baseOffset: acks[1].baseOffset, lastOffset: acks[1].lastOffset + 1, batchSeed: 12)),
        ]
        for (name, ack) in wrong {
            withKnownIssue(Comment(rawValue: name)) { Self.verify(log, acks: [ack], context: name) }
        }
        try log.close()
    }

    /// Checks that each acknowledged batch is in the log, whole, with the records its seed
    /// stands for.
    static func verify(_ log: PartitionLog, acks: [Ack], context: String) {
        var failures = 0
        for ack in acks.sorted(by: { $0.baseOffset < $1.baseOffset }) {
            let expected = CrashWorkload.batch(seed: ack.batchSeed)
            var problem: String?
            do {
                let batches = try log.readBatches(from: ack.baseOffset, maxBytes: 1)
                if let batch = batches.first {
                    let records = try batch.records()
                    if batch.header.baseOffset != ack.baseOffset || batch.header.lastOffset != ack.lastOffset {
                        problem = "holds batch \(batch.header.baseOffset)...\(batch.header.lastOffset)"
                    } else if batch.header.compression != expected.compression {
                        problem = "is compressed with \(batch.header.compression as Any), expected \(expected.compression)"
                    } else if records.count != expected.records.count
                        || !zip(records, expected.records).allSatisfy({ LogAudit.matches($0, $1) }) {
                        problem = "holds different records"
                    }
                } else {
                    problem = "is missing"
                }
            } catch {
                problem = "cannot be read: \(error)"
            }
            if let problem {
                Issue.record("acknowledged batch \(ack.baseOffset)...\(ack.lastOffset) (seed \(ack.batchSeed)) \(problem) (\(context))")
                failures += 1
                if failures >= 5 { return }
            }
        }
    }

    /// Walks every batch header from the log start (0) to the log end: offsets must run
    /// without a gap or an overlap. Reads 61 bytes per batch, so it stays cheap.
    static func verifyContiguous(_ log: PartitionLog, context: String) {
        #expect(log.logStartOffset == 0, "\(context)")
        let view = log.published.withLock { $0 }
        var expected = view.logStartOffset
        do {
            for segmentView in view.segments {
                if segmentView.segment.baseOffset != expected {
                    Issue.record("segment \(segmentView.segment.baseOffset) starts after offset \(expected - 1) (\(context))")
                    return
                }
                var position: Int64 = 0
                while let header = try log.batchHeader(segmentView, at: position) {
                    if header.baseOffset != expected {
                        Issue.record("batch at \(segmentView.segment.logPath):\(position) has offset \(header.baseOffset), expected \(expected) (\(context))")
                        return
                    }
                    expected = header.nextOffset
                    position += Int64(header.totalSize)
                }
            }
        } catch {
            Issue.record("walking batch headers threw \(error) (\(context))")
            return
        }
        #expect(expected == view.endOffset, "batches end at \(expected), the log at \(view.endOffset) (\(context))")
    }

    /// Parses the child's lines; a last line without a newline was cut by the kill.
    static func parseAcks(_ bytes: [UInt8], context: String) throws -> [Ack] {
        var acks: [Ack] = []
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty, or a line the kill cut short
        for line in lines {
            let fields = line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 3, let base = Int64(fields[0]), let last = Int64(fields[1]),
                  let batchSeed = UInt64(fields[2]), last >= base else {
                Issue.record("unreadable line from the child: \(String(decoding: line, as: UTF8.self)) (\(context))")
                continue
            }
            let expected = CrashWorkload.batch(seed: batchSeed)
            #expect(last - base + 1 == Int64(expected.records.count), "batch \(base)...\(last) should hold \(expected.records.count) records (\(context))")
            acks.append(Ack(baseOffset: base, lastOffset: last, batchSeed: batchSeed))
        }
        return acks
    }

    // MARK: - The child process

    /// The `BasaltCrashWriter` executable: `BASALT_CRASH_WRITER` if set, else next to the
    /// running test binary (the build products directory, whatever the scratch path),
    /// else under `.build/debug` of the current directory.
    static func locateWriter() -> String? {
        var candidates: [String] = []
        if let explicit = environment("BASALT_CRASH_WRITER") { candidates.append(explicit) }
        for executable in [executablePath(), CommandLine.arguments.first].compactMap({ $0 }) {
            // …/debug/BasaltPackageTests.xctest, or on Darwin …/debug/X.xctest/Contents/MacOS/X.
            var directory = executable
            for _ in 0..<4 {
                directory = parent(directory)
                candidates.append(directory + "/BasaltCrashWriter")
            }
        }
        candidates.append(".build/debug/BasaltCrashWriter")
        return candidates.first { access($0, X_OK) == 0 }
    }

    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Starts `executable` with stdout and stderr sent to files; returns its pid.
    static func spawn(_ executable: String, arguments: [String], stdout: String, stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) }
        let environment = currentEnvironment().map { strdup($0) }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in environment { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv + [nil], environment + [nil])
        guard result == 0 else { throw BasaltError.io(operation: "posix_spawn", path: executable, errno: result) }
        return pid
    }

    /// This process's environment, from /proc (Swift 6 forbids reading `environ`).
    static func currentEnvironment() -> [String] {
        // /proc files report size 0, so read until the end instead of by size.
        let descriptor = open("/proc/self/environ", O_RDONLY)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
