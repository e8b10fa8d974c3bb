/// A record read back from a log, with its assigned offset.
///
/// Key and value are slices of the batch buffer they were decoded from: reading them
/// copies nothing, and the buffer lives as long as any record that refers to it.
public struct ConsumerRecord: Sendable {
    /// The partition the record was read from.
    public let partition: Int32
    /// The record's offset in its partition.
    public let offset: Int64
    /// Milliseconds since the Unix epoch: the producer's time, or the append time when
    /// the batch uses log-append time.
    public let timestamp: Int64
    /// Headers in order.
    public let headers: [RecordHeader]
    let storage: [UInt8]
    let keyStart: Int
    let keyCount: Int
    let valueStart: Int
    let valueCount: Int

    /// The key, or nil for a null key.
    public var key: ArraySlice<UInt8>? {
        keyCount < 0 ? nil : storage[keyStart..<(keyStart + keyCount)]
    }

    /// The value, or nil for a tombstone.
    public var value: ArraySlice<UInt8>? {
        valueCount < 0 ? nil : storage[valueStart..<(valueStart + valueCount)]
    }
}
