/// A run of whole batches in one segment file, for sending without copying (`sendfile`).
///
/// The slice keeps the segment's file open, so it stays readable even if retention
/// deletes the segment before the bytes are sent.
public struct LogSlice: Sendable {
    /// The segment's log file. Read it with `pread` or `sendfile` at ``position``.
    public let file: StorageFile
    /// Byte position of the first batch in the file.
    public let position: Int64
    /// Bytes of whole batches from ``position``.
    public let length: Int
    /// Base offset of the first batch; may be below the offset asked for, since a read
    /// that starts inside a batch returns the whole batch.
    public let firstOffset: Int64
    /// Last offset of the last batch.
    public let lastOffset: Int64
}
