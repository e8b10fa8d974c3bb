/// One thing `verify` found wrong: what, where, and how bad.
public struct Problem: Sendable, Equatable {
    /// How bad a problem is.
    public enum Severity: String, Sendable {
        /// Data is damaged, or the store or partition will not open.
        case error
        /// Inconsistent, but Basalt heals it by itself when it opens the partition (or
        /// it is harmless).
        case warning
    }

    /// What kind of problem.
    public var kind: ProblemKind
    /// How bad.
    public var severity: Severity
    /// The file or directory it is in.
    public var path: String
    /// Byte position in the file, when it has one.
    public var position: Int64?
    /// What exactly is wrong, with the values found.
    public var message: String

    /// Creates a problem; the severity defaults to the kind's.
    public init(_ kind: ProblemKind, path: String, position: Int64? = nil, _ message: String, severity: Severity? = nil) {
        self.kind = kind
        self.severity = severity ?? kind.defaultSeverity
        self.path = path
        self.position = position
        self.message = message
    }

    /// `path:position: kind: message`, like a compiler diagnostic.
    public var text: String {
        let location = position.map { "\(path):\($0)" } ?? path
        return "\(location): \(severity.rawValue): \(kind.rawValue): \(message)"
    }

    /// The problem as JSON (schema in docs/inspect.md).
    public var json: JSONValue {
        .object([
            ("kind", .string(kind.rawValue)), ("severity", .string(severity.rawValue)), ("file", .string(path)),
            ("position", .optional(position)), ("message", .string(message)),
        ])
    }
}
