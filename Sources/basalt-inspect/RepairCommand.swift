import ArgumentParser
import BasaltInspect

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Offline: rebuild indexes, cut a torn tail, move aside what cannot be kept. Dry run unless --apply.",
        discussion: """
            Nothing is deleted: files and cut bytes go to <partition>/quarantine-<time>/, and a store's own files to \
            <store>/quarantine-<time>/. Refuses while the store is open.
            """)

    @Argument(help: "A store directory, or one partition directory (<topic>-<partition>).")
    var path: String

    @Flag(help: "Carry out the plan (default: print it only).")
    var apply = false

    @Flag(name: .customLong("allow-kafka"), help: "Repair a directory written by Apache Kafka, by Basalt's rules.")
    var allowKafka = false

    func run() throws {
        let console = Console.standard()
        try finish(Repair(path: path, apply: apply, allowKafka: allowKafka).run(on: console), console)
    }
}
