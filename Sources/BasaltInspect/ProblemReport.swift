/// Collects the problems of one run: passes each to an observer as it is found (text
/// output streams them) and keeps them for the JSON document and the final count.
///
/// Memory is bounded: past ``limitPerFileAndKind`` problems of one kind in one file,
/// only a count is kept (a file of garbage would otherwise yield one problem per batch).
public final class ProblemReport {
    /// Problems kept per file and kind before only counting.
    public let limitPerFileAndKind: Int
    /// The problems kept, in the order found.
    public private(set) var problems: [Problem] = []
    /// Counts of problems not kept, by file and kind.
    public private(set) var suppressed: [Suppressed] = []
    /// Every problem found, kept or not.
    public private(set) var total = 0
    /// Problems found, by kind.
    public private(set) var countsByKind: [ProblemKind: Int] = [:]
    /// Whether any problem was an error (not a warning).
    public private(set) var hasErrors = false
    /// Whether a file or directory could not be read at all.
    public private(set) var hasUnreadable = false
    private var counts: [Key: Int] = [:]
    private let observer: ((Problem) -> Void)?

    /// Problems of one kind in one file beyond the limit.
    public struct Suppressed: Sendable, Equatable {
        /// The file.
        public var path: String
        /// The kind.
        public var kind: ProblemKind
        /// How many were not kept.
        public var count: Int
    }

    private struct Key: Hashable {
        var path: String
        var kind: ProblemKind
    }

    /// A report that calls `observer` with each problem it keeps.
    public init(limitPerFileAndKind: Int = 100, observer: ((Problem) -> Void)? = nil) {
        self.limitPerFileAndKind = limitPerFileAndKind
        self.observer = observer
    }

    /// Adds a problem.
    public func add(_ problem: Problem) {
        total += 1
        countsByKind[problem.kind, default: 0] += 1
        if problem.severity == .error { hasErrors = true }
        if problem.kind == .unreadable { hasUnreadable = true }
        let key = Key(path: problem.path, kind: problem.kind)
        let seen = counts[key, default: 0]
        counts[key] = seen + 1
        if seen < limitPerFileAndKind {
            problems.append(problem)
            observer?(problem)
        } else if let index = suppressed.firstIndex(where: { $0.path == key.path && $0.kind == key.kind }) {
            suppressed[index].count += 1
        } else {
            suppressed.append(Suppressed(path: key.path, kind: key.kind, count: 1))
        }
    }

    /// Counts `count` more problems of `kind` in `path` that were found but not kept
    /// by the caller.
    public func addSuppressed(path: String, kind: ProblemKind, count: Int, severity: Problem.Severity) {
        guard count > 0 else { return }
        total += count
        countsByKind[kind, default: 0] += count
        if severity == .error { hasErrors = true }
        counts[Key(path: path, kind: kind), default: 0] += count
        if let index = suppressed.firstIndex(where: { $0.path == path && $0.kind == kind }) {
            suppressed[index].count += count
        } else {
            suppressed.append(Suppressed(path: path, kind: kind, count: count))
        }
    }

    /// The exit status the problems call for: clean, problems found, or failure when
    /// something could not be read.
    public var exitStatus: ExitStatus {
        if hasUnreadable { return .failure }
        return total == 0 ? .clean : .problemsFound
    }
}
