/// When a partition's appends reach stable storage.
///
/// What survives depends on the failure:
/// - ``everyAppend``: an append returns only after `fdatasync` covered it. An
///   acknowledged record survives `kill -9` and power loss. Concurrent appenders share
///   one `fdatasync` (group commit). Readers see a record only once it is durable.
/// - ``interval(milliseconds:)``: appends return after the write to the page cache; the
///   log is synced at most `milliseconds` after an append. Everything acknowledged
///   survives `kill -9` (the kernel still has it); power loss can take the last interval.
/// - ``os``: the kernel writes pages back when it chooses; segments are synced when they
///   roll and when the log closes. Survives `kill -9`; power loss can take anything not
///   yet written back (typically up to 30 s on Linux).
public enum Durability: Sendable, Hashable, Codable {
    /// `fdatasync` before acknowledging, shared by concurrent appenders.
    case everyAppend
    /// `fdatasync` at most this many milliseconds after an append.
    case interval(milliseconds: Int)
    /// Left to the operating system; synced on roll and close.
    case os
}
