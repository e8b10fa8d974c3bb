import ArgumentParser
import BasaltInspect

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Per topic and partition: segments, offsets, bytes, records, compression ratio, time range; cursor lag.")

    @Argument(help: "A store directory (or one partition directory).")
    var store: String

    @Flag(help: "One JSON document on standard output.")
    var json = false

    func run() throws {
        let console = Console.standard()
        try finish(Summary(path: store, json: json).run(on: console), console)
    }
}
