import ArgumentParser
import BasaltInspect
import Glibc

/// `basalt-inspect`: dump, verify, summarize and repair Basalt (and Kafka) segment files.
/// The work is done by the BasaltInspect library; this only parses the command line.
@main
struct BasaltInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "basalt-inspect",
        abstract: "Inspect, verify, summarize and repair Basalt stores and Kafka segment directories.",
        discussion: "Exit status: 0 clean, 1 problems found, 2 usage or I/O error. See docs/inspect.md.",
        subcommands: [DumpCommand.self, VerifyCommand.self, SummaryCommand.self, RepairCommand.self])

    /// Parses and runs, mapping every usage error to exit status 2 (ArgumentParser's own
    /// default is 64) with a one-line message.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch {
            let console = Console.standard()
            if exitCode(for: error) == .success {
                console.line(fullMessage(for: error))
                console.flush()
                Glibc.exit(0)
            }
            console.note("basalt-inspect: \(fullMessage(for: error))")
            Glibc.exit(ExitStatus.failure.rawValue)
        }
    }
}

/// Ends the process with `status` once `console` is flushed.
func finish(_ status: ExitStatus, _ console: Console) throws {
    console.flush()
    if status != .clean { throw ExitCode(status.rawValue) }
}
