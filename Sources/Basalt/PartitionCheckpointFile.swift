/// Public, read-mostly access to a partition's `partition.checkpoint` (see
/// `PartitionCheckpoint` for the format), for tools that inspect or repair a partition
/// directory while its log is closed.
public struct PartitionCheckpointFile: Sendable, Equatable {
    /// The checkpoint's file name in a partition directory.
    public static let fileName = PartitionCheckpoint.fileName
    /// The temporary file a checkpoint is written to before it is renamed; a leftover
    /// one is removed when the log opens.
    public static let temporaryFileName = PartitionCheckpoint.temporaryFileName

    /// What a clean close recorded.
    public struct CleanShutdown: Sendable, Equatable {
        /// The log end offset at close.
        public var logEndOffset: Int64
        /// Base offset of the active segment at close.
        public var activeBaseOffset: Int64
        /// Bytes in the active segment at close.
        public var activeBytes: Int64
    }

    /// Every offset below it was on stable storage; recovery scans from the segment
    /// holding it.
    public var recoveryPoint: Int64
    /// The first readable offset.
    public var logStartOffset: Int64
    /// Present when the log was closed cleanly and not opened since.
    public var clean: CleanShutdown?

    /// Creates a checkpoint value.
    public init(recoveryPoint: Int64, logStartOffset: Int64, clean: CleanShutdown? = nil) {
        self.recoveryPoint = recoveryPoint
        self.logStartOffset = logStartOffset
        self.clean = clean
    }

    /// Reads the checkpoint of the partition directory `directory`; nil when it is
    /// absent or cannot be parsed (the log then recovers every segment when it opens).
    public static func read(directory: String) -> PartitionCheckpointFile? {
        guard let checkpoint = try? PartitionCheckpoint.read(directory: directory, io: SystemFileIO()) else { return nil }
        return PartitionCheckpointFile(
            recoveryPoint: checkpoint.recoveryPoint, logStartOffset: checkpoint.logStartOffset,
            clean: checkpoint.clean.map {
                CleanShutdown(logEndOffset: $0.logEndOffset, activeBaseOffset: $0.activeBaseOffset, activeBytes: $0.activeBytes)
            })
    }

    /// Replaces the checkpoint in `directory` atomically and durably, as the log does.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)``.
    public func write(directory: String) throws {
        try PartitionCheckpoint(
            recoveryPoint: recoveryPoint, logStartOffset: logStartOffset,
            clean: clean.map {
                PartitionCheckpoint.CleanShutdown(
                    logEndOffset: $0.logEndOffset, activeBaseOffset: $0.activeBaseOffset, activeBytes: $0.activeBytes)
            }
        ).write(directory: directory, io: SystemFileIO())
    }
}
