/// The file `high-watermark` in a partition directory: the partition's high watermark as
/// last checkpointed, in Kafka's checkpoint framing with one entry of one number.
///
/// ```
/// 0        version
/// 1        number of entries
/// 52341    high watermark
/// ```
///
/// Written only for a log in replicated mode (see ``PartitionLog/enableReplication()``):
/// by ``PartitionLog/checkpointHighWatermark()``, by ``PartitionLog/close()``, and when a
/// truncation lowers the high watermark. Replaced atomically through `AtomicFile`. On open
/// the high watermark is this value capped at the recovered log end and raised to the log
/// start offset, so a value past the log end is never trusted.
enum HighWatermarkCheckpoint {
    static let fileName = "high-watermark"
    static let version = 0

    /// The checkpointed value in `directory`, or nil when there is no file.
    ///
    /// - Throws: ``ReplicationError/corruptCheckpoint(file:line:reason:)`` for a damaged
    ///   file or a negative value; ``BasaltError/io(operation:path:errno:)``.
    static func read(directory: String, io: any FileIO) throws -> Int64? {
        let path = directory + "/" + fileName
        guard let bytes = try CheckpointFileReader.contents(of: path, io: io) else { return nil }
        let rows = try CheckpointText.parse(bytes, file: path, version: version, fieldsPerEntry: 1)
        guard rows.count == 1, rows[0][0] >= 0 else {
            throw ReplicationError.corruptCheckpoint(file: path, line: rows.count == 1 ? 3 : 2,
                                                     reason: "expected exactly one high watermark ≥ 0")
        }
        return rows[0][0]
    }

    /// Replaces the file in `directory` atomically and durably.
    static func write(_ highWatermark: Int64, directory: String, io: any FileIO) throws {
        try AtomicFile.replace(directory + "/" + fileName,
                               with: CheckpointText.render(version: version, entries: [[highWatermark]]), io: io)
    }
}
