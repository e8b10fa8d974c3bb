import ArgumentParser
import BasaltInspect

struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the batches of a .log segment, or the entries of a .index/.timeindex file checked against its log.")

    @Argument(help: "A .log, .index or .timeindex file.")
    var file: String

    @Flag(help: "Also print each record: offset, timestamp, key, value, headers.")
    var records = false

    @Option(name: .customLong("from-offset"), help: "Start at the batch holding this offset.")
    var fromOffset: Int64?

    @Option(help: "Print at most this many batches (entries for an index).")
    var limit: Int?

    @Flag(help: "JSON Lines output (one object per line).")
    var json = false

    @Option(name: .customLong("max-batch-bytes"), help: "Largest batch read whole for --records.")
    var maxBatchBytes = 64 << 20

    @Option(name: .customLong("max-value-chars"), help: "Most characters of a key or value shown.")
    var maxValueChars = 80

    func run() throws {
        let console = Console.standard()
        let status = Dump(path: file, records: records, fromOffset: fromOffset, limit: limit, json: json,
                          maxBatchBytes: maxBatchBytes, maxValueCharacters: maxValueChars).run(on: console)
        try finish(status, console)
    }
}
