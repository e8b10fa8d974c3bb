import ArgumentParser
import BasaltBroker
import Foundation

/// `basalt-broker scram-credential`: creates, replaces or deletes a user's SCRAM credential
/// in a data directory's credential store, offline (for the first admin user, before the
/// broker starts; later ones with AlterUserScramCredentials through an AdminClient).
///
/// The password is read from `--password-file` or standard input, never from the command
/// line, where other users could see it in the process list.
struct ScramCredentialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scram-credential",
        abstract: "Create or delete a SCRAM user in a data directory (broker stopped).")

    @Option(name: .long, help: "Store directory of the broker.")
    var dataDir: String

    @Option(name: .long, help: "User name.")
    var user: String

    @Option(name: .long, help: "SCRAM-SHA-256 or SCRAM-SHA-512.")
    var mechanism: String = "SCRAM-SHA-256"

    @Option(name: .long, help: "PBKDF2 iterations, 4096...16384.")
    var iterations: Int = 8192

    @Option(name: .long, help: "File whose first line is the password (standard input when absent).")
    var passwordFile: String?

    @Flag(name: .long, help: "Delete the user's credential for the mechanism instead.")
    var delete = false

    func run() throws {
        guard let hash = ScramHash.allCases.first(where: { $0.mechanism.rawValue == mechanism.uppercased() }) else {
            throw ValidationError("--mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512")
        }
        let brokerDirectory = dataDir + "/broker"
        try FileManager.default.createDirectory(atPath: brokerDirectory, withIntermediateDirectories: true)
        let store = try ScramCredentialStore(brokerDirectory: brokerDirectory)
        if delete {
            try store.apply([(user: user, hash: hash, credential: nil)])
            print("deleted \(mechanism.uppercased()) credential of \(user)")
            return
        }
        guard (4096...16384).contains(iterations) else { throw ValidationError("--iterations must be in 4096...16384") }
        let text: String
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile), let content = String(data: data, encoding: .utf8) else {
                throw ValidationError("cannot read --password-file \(passwordFile)")
            }
            text = content
        } else {
            text = readLine(strippingNewline: false) ?? ""
        }
        let password = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        guard !password.isEmpty else { throw ValidationError("empty password") }
        let credential = ScramCredential(hash: hash, password: Array(password.utf8), iterations: iterations)
        try store.apply([(user: user, hash: hash, credential: credential)])
        print("stored \(hash.mechanism.rawValue) credential of \(user) (\(iterations) iterations) in \(store.path)")
    }
}
