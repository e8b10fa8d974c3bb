/// What happens to a partition's old closed segments (Kafka's `cleanup.policy`).
///
/// - ``delete``: retention deletes whole segments by age and size (``LogConfig/retentionMs``,
///   ``LogConfig/retentionBytes``).
/// - ``compact``: the log cleaner rewrites closed segments keeping only the latest record
///   of each key (see ``LogCleaner``); retention by age and size does not run.
/// - ``compactAndDelete``: both.
///
/// The raw values are Kafka's spellings.
public enum CleanupPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Retention by age and size only (Kafka's default).
    case delete = "delete"
    /// Compaction by key only.
    case compact = "compact"
    /// Compaction and retention.
    case compactAndDelete = "compact,delete"

    /// Whether the log cleaner compacts the partition.
    public var compacts: Bool { self != .delete }
    /// Whether retention deletes segments by age and size.
    public var deletes: Bool { self != .compact }

    /// Parses Kafka's list form: `delete`, `compact`, or both in either order separated
    /// by a comma (spaces allowed). Nil for anything else, including an empty list.
    public init?(kafkaList text: String) {
        let items = Set(text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: " ") })
        switch items {
        case ["delete"]: self = .delete
        case ["compact"]: self = .compact
        case ["compact", "delete"]: self = .compactAndDelete
        default: return nil
        }
    }
}

private extension Substring {
    func trimmingCharacters(in character: Character) -> String {
        var text = self
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
