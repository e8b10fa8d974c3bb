import ArgumentParser
import BasaltInspect

struct BasaltInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "basalt-inspect")
}

BasaltInspectCommand.main()
