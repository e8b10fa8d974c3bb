/// A file in the broker's state directory (`<data dir>/broker/`) that exists but cannot
/// be used: larger than such a file can be, not UTF-8, or not a valid value.
///
/// The broker refuses to start rather than guess a value: a made-up cluster id makes
/// clients that cached the old one refuse the broker, and a made-up producer-id start
/// can hand out an id a live producer already uses, so that a new producer's first batch
/// is answered as a duplicate and never stored. ``remedy`` tells the operator what to do.
public struct BrokerStateFileError: Error, Sendable, CustomStringConvertible {
    /// The damaged file.
    public var path: String
    /// What is wrong with it.
    public var reason: String
    /// What an operator can do about it.
    public var remedy: String

    /// Creates an error for the file at `path`.
    public init(path: String, reason: String, remedy: String) {
        self.path = path
        self.reason = reason
        self.remedy = remedy
    }

    /// `broker state file <path> is damaged (<reason>). <remedy>`
    public var description: String { "broker state file \(path) is damaged (\(reason)). \(remedy)" }
}
