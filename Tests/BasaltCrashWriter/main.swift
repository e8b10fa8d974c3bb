// The child process of the crash test (see Tests/BasaltTests/CrashTests.swift).
//
//     BasaltCrashWriter <directory> <seed> [writers]
//     BasaltCrashWriter compact <directory> <killAtCall>
//
// The second form is the compaction crash test's child (see `CompactionCrash`).
//
// Opens the partition log in <directory> (recovering it if the last run was killed) with
// `CrashWorkload.config` (everyAppend, 64 KiB segments), then appends batches from
// `writers` concurrent tasks (default 4) until it is killed. After each acknowledged
// append it writes one line, `<baseOffset> <lastOffset> <batchSeed>`, to standard output
// with a single unbuffered write(2) — the same system call `fflush` would make, with no
// stdio buffer in between — so every line the test reads was acknowledged before the
// kill and no acknowledged line can be left behind in a buffer.
//
//     BasaltCrashWriter --topic-changes <store directory> <seed>
//
// The second mode (Tests/BasaltTests/TopicChangeCrashTests.swift) opens a Store there,
// creates topic `t` if absent, and loops over the topic changes: a growth by one partition
// (up to `TopicChangeWorkload.maxPartitions`), a settings change, and appends to partition
// 0 followed by a DeleteRecords. Before each change it writes `begin <kind> <value>`, after
// it `done <kind> <value>`, with the same unbuffered writes.
//
// Exit status: 64 bad arguments, 2 the log did not open, 3 an append failed. The test
// treats any exit before its SIGKILL as a failure and shows standard error.
import Basalt
import Glibc

/// The child's code, private so that the test module, which links this one, sees only
/// ``CrashWorkload``.
private enum CrashWriter {
    static func start() async {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == "--topic-changes" {
            guard arguments.count >= 4, let seed = UInt64(arguments[3]) else {
                fail(64, "usage: BasaltCrashWriter --topic-changes <store directory> <seed>")
            }
            await changeTopics(directory: arguments[2], seed: seed)
        }
        if arguments.count == 4, arguments[1] == "compact", let killAt = Int(arguments[3]) {
            compact(directory: arguments[2], killAtCall: killAt)
        }
        guard arguments.count >= 3, let seed = UInt64(arguments[2]) else {
            fail(64, "usage: BasaltCrashWriter <directory> <seed> [writers]")
        }
        let writers = arguments.count > 3 ? max(1, Int(arguments[3]) ?? 4) : 4
        await run(directory: arguments[1], seed: seed, writers: writers)
    }

    static func changeTopics(directory: String, seed: UInt64) async -> Never {
        let store: Store
        do {
            store = try Store(directory: directory, defaultConfig: TopicChangeWorkload.config, retentionCheckInterval: nil)
            if (try? store.topic("t")) == nil { try store.createTopic("t", partitions: 1) }
        } catch {
            fail(2, "open \(directory) failed: \(error)")
        }
        var step = seed % 3
        while true {
            step += 1
            do {
                let topic = try store.topic("t")
                switch step % 3 {
                case 0 where topic.partitionCount < TopicChangeWorkload.maxPartitions:
                    let count = topic.partitionCount + 1
                    writeAll("begin grow \(count)\n", to: STDOUT_FILENO)
                    try store.addPartitions(to: "t", count: count)
                    writeAll("done grow \(count)\n", to: STDOUT_FILENO)
                case 1:
                    var config = topic.config
                    config.retentionBytes = TopicChangeWorkload.retentionBytes(step: step)
                    writeAll("begin config \(config.retentionBytes)\n", to: STDOUT_FILENO)
                    try store.updateTopicConfig("t", config: config)
                    writeAll("done config \(config.retentionBytes)\n", to: STDOUT_FILENO)
                default:
                    let log = try topic.partition(0)
                    for index in 0..<3 {
                        try await log.append([Record(key: nil, value: Array("record \(step) \(index)".utf8))])
                    }
                    let start = log.logEndOffset - 1
                    writeAll("begin start \(start)\n", to: STDOUT_FILENO)
                    try log.deleteRecords(before: start)
                    writeAll("done start \(start)\n", to: STDOUT_FILENO)
                }
            } catch {
                fail(3, "topic change failed: \(error)")
            }
        }
    }

    static func run(directory: String, seed: UInt64, writers: Int) async {
        let log: PartitionLog
        do {
            log = try PartitionLog(directory: directory, config: CrashWorkload.config)
        } catch {
            fail(2, "open \(directory) failed: \(error)")
        }
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var sequence = 0
                    while true {
                        let batchSeed = CrashWorkload.batchSeed(runSeed: seed, writer: writer, sequence: sequence)
                        sequence += 1
                        let batch = CrashWorkload.batch(seed: batchSeed)
                        do {
                            let result = try await log.append(batch.records, compression: batch.compression)
                            writeAll("\(result.baseOffset) \(result.lastOffset) \(batchSeed)\n", to: STDOUT_FILENO)
                        } catch {
                            fail(3, "append failed: \(error)")
                        }
                    }
                }
            }
        }
    }

    /// Opens the log through a seam that kills the process before write-side call
    /// `killAtCall`, runs one forced clean, and reports how many calls it made.
    static func compact(directory: String, killAtCall: Int) -> Never {
        let io = SelfKillingFileIO(killAtCall: killAtCall)
        do {
            let log = try PartitionLog(directory: directory, config: CompactionCrash.config, io: io)
            try LogCleaner().clean(log, force: true)
        } catch {
            fail(3, "clean failed: \(error)")
        }
        writeAll("done \(io.calls)\n", to: STDOUT_FILENO)
        exit(0)
    }

    /// Writes all of `text` to `descriptor` with write(2), retrying after partial writes
    /// and EINTR. Lines are far below PIPE_BUF, so concurrent writers never interleave.
    static func writeAll(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var done = 0
            while done < raw.count {
                let written = write(descriptor, raw.baseAddress! + done, raw.count - done)
                if written > 0 {
                    done += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    static func fail(_ status: Int32, _ message: String) -> Never {
        writeAll("BasaltCrashWriter: \(message)\n", to: STDERR_FILENO)
        exit(status)
    }
}

await CrashWriter.start()
