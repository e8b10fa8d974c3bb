/// One header of a record: a string key and an optional byte value.
public struct RecordHeader: Sendable, Hashable {
    /// The header key (UTF-8 on disk).
    public var key: String
    /// The header value; `nil` is Kafka's null header value.
    public var value: [UInt8]?

    /// Creates a header.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}
