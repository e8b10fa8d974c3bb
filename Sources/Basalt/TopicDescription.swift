/// A topic's description as the store keeps it in `topics/<name>.json`: name,
/// partition count and settings.
public struct TopicDescription: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// Number of partitions; their directories are `<name>-0` … `<name>-<partitions − 1>`.
    public var partitions: Int32
    /// The topic's settings.
    public var config: LogConfig
    /// The file it was read from.
    public var file: String
}
