/// The exit status of every `basalt-inspect` subcommand.
public enum ExitStatus: Int32, Sendable, Comparable {
    /// Nothing wrong was found (or, for `repair`, nothing is left to do).
    case clean = 0
    /// The command ran and found problems in the data.
    case problemsFound = 1
    /// The command could not run: a usage error, a path that cannot be read, an I/O
    /// error, or a store locked by a running process.
    case failure = 2

    /// Orders statuses by severity: clean, problems found, failure.
    public static func < (lhs: ExitStatus, rhs: ExitStatus) -> Bool { lhs.rawValue < rhs.rawValue }
}
