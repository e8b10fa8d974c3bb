/// Something wrong with one index entry: the problem kind and what exactly.
struct EntryIssue: Equatable, Sendable {
    var kind: ProblemKind
    var message: String

    init(_ kind: ProblemKind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
