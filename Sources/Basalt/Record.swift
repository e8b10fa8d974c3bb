/// A record to append: key, value, headers and timestamp.
///
/// Offsets are assigned by the log on append.
public struct Record: Sendable, Hashable {
    /// The key; `nil` is Kafka's null key.
    public var key: [UInt8]?
    /// The value; `nil` is a tombstone.
    public var value: [UInt8]?
    /// Headers in order; keys may repeat.
    public var headers: [RecordHeader]
    /// Milliseconds since the Unix epoch; `nil` takes the time of the append.
    public var timestamp: Int64?

    /// Creates a record.
    public init(key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [], timestamp: Int64? = nil) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}
