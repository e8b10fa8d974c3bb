/// Where an append landed.
public struct AppendResult: Sendable, Hashable {
    /// Offset of the first record of the batch.
    public let baseOffset: Int64
    /// Offset of the last record of the batch.
    public let lastOffset: Int64
    /// Largest record timestamp in the batch.
    public let maxTimestamp: Int64
}
