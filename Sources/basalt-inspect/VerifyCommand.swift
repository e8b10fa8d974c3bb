import ArgumentParser
import BasaltInspect

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a store, a partition directory or one segment; report every problem with file and byte position.",
        discussion: "Exit status: 0 clean, 1 problems found, 2 usage or I/O error.")

    @Argument(help: "A store directory, a partition directory, or a .log/.index/.timeindex file.")
    var path: String

    @Flag(help: "One JSON document on standard output.")
    var json = false

    @Flag(help: "Also decode every record of every none/LZ4 batch.")
    var deep = false

    @Option(name: .customLong("max-batch-bytes"), help: "Largest batch read whole for --deep.")
    var maxBatchBytes = 64 << 20

    func run() throws {
        let console = Console.standard()
        let status = Verify(path: path, json: json, deep: deep, maxBatchBytes: maxBatchBytes).run(on: console)
        try finish(status, console)
    }
}
