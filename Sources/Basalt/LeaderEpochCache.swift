import Glibc

/// A partition's leader epochs and the first offset written in each, as Kafka keeps them
/// in `leader-epoch-checkpoint`: what a replica answers OffsetForLeaderEpoch from, and
/// what tells a new follower where its history diverges from the leader's.
///
/// Entries are ordered: epochs strictly increase and start offsets never decrease. The
/// file in the partition directory is Kafka's text format:
///
/// ```
/// 0            version
/// 2            number of entries
/// 0 0          epoch startOffset
/// 3 5120
/// ```
///
/// ``PartitionLog`` owns the file: it rewrites it through `AtomicFile` (temporary file,
/// `fdatasync`, `rename`, directory `fsync`) whenever the entries change, which happens
/// only when an epoch starts, the log is truncated, or retention raises the log start.
public struct LeaderEpochCache: Sendable, Hashable {
    /// One epoch and the offset of its first record.
    public struct Entry: Sendable, Hashable {
        /// The leader epoch.
        public var epoch: Int32
        /// Offset of the first record appended in ``epoch``.
        public var startOffset: Int64

        /// Creates an entry.
        public init(epoch: Int32, startOffset: Int64) {
            self.epoch = epoch
            self.startOffset = startOffset
        }
    }

    /// Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET: the answer for an epoch the
    /// cache cannot place.
    public static let undefinedEpoch: Int32 = -1
    /// See ``undefinedEpoch``.
    public static let undefinedOffset: Int64 = -1
    /// The checkpoint's file name in a partition directory.
    public static let fileName = "leader-epoch-checkpoint"
    /// The version on line 1 of the file.
    static let version = 0

    /// The entries, oldest epoch first.
    public private(set) var entries: [Entry]

    /// An empty cache.
    public init() {
        entries = []
    }

    /// The newest epoch, or nil when no epoch was recorded.
    public var latestEpoch: Int32? { entries.last?.epoch }

    /// Records that `epoch` starts at `startOffset`. Ignored (returns false) unless the
    /// epoch is newer than the latest one and does not start before it: epochs only go up,
    /// and an older leader's batches never rewrite history. Negative epochs (batches from
    /// before leader epochs existed) are ignored too.
    @discardableResult
    public mutating func assign(epoch: Int32, startOffset: Int64) -> Bool {
        guard epoch >= 0, startOffset >= 0 else { return false }
        if let last = entries.last, epoch <= last.epoch || startOffset < last.startOffset { return false }
        entries.append(Entry(epoch: epoch, startOffset: startOffset))
        return true
    }

    /// The answer to OffsetForLeaderEpoch for `requestedEpoch`, as Kafka computes it:
    /// - the latest epoch: that epoch and `logEndOffset`;
    /// - an older epoch the cache knows, or one between two it knows: the largest known
    ///   epoch at most `requestedEpoch`, and the start offset of the next higher epoch;
    /// - an epoch below the first one: `requestedEpoch` and the first epoch's start offset
    ///   (Kafka's answer; the follower then truncates to that offset);
    /// - an epoch above the latest, ``undefinedEpoch`` itself, or an empty cache:
    ///   (``undefinedEpoch``, ``undefinedOffset``).
    public func endOffset(for requestedEpoch: Int32, logEndOffset: Int64) -> (epoch: Int32, endOffset: Int64) {
        guard requestedEpoch != Self.undefinedEpoch, let last = entries.last else {
            return (Self.undefinedEpoch, Self.undefinedOffset)
        }
        if requestedEpoch == last.epoch { return (requestedEpoch, logEndOffset) }
        guard let higher = entries.firstIndex(where: { $0.epoch > requestedEpoch }) else {
            return (Self.undefinedEpoch, Self.undefinedOffset)
        }
        if higher == 0 { return (requestedEpoch, entries[0].startOffset) }
        return (entries[higher - 1].epoch, entries[higher].startOffset)
    }

    /// Drops the epochs that start at or after `endOffset`: the log was truncated there.
    /// Returns whether anything changed.
    @discardableResult
    public mutating func truncateFromEnd(_ endOffset: Int64) -> Bool {
        let before = entries.count
        entries.removeAll { $0.startOffset >= endOffset }
        return entries.count != before
    }

    /// Drops the epochs wholly below `startOffset` (retention raised the log start
    /// offset), and moves the start of the epoch that holds it up to `startOffset`, as
    /// Kafka does. Returns whether anything changed.
    @discardableResult
    public mutating func truncateFromStart(_ startOffset: Int64) -> Bool {
        guard let holding = entries.lastIndex(where: { $0.startOffset <= startOffset }),
              entries[holding].startOffset < startOffset || holding > 0 else { return false }
        let epoch = entries[holding].epoch
        entries.removeFirst(holding + 1)
        entries.insert(Entry(epoch: epoch, startOffset: startOffset), at: 0)
        return true
    }

    /// Removes every entry.
    public mutating func removeAll() {
        entries.removeAll()
    }

    // MARK: - The file

    /// The file's bytes.
    public var checkpointBytes: [UInt8] {
        CheckpointText.render(version: Self.version, entries: entries.map { [Int64($0.epoch), $0.startOffset] })
    }

    /// Parses a `leader-epoch-checkpoint` file's bytes; `file` names it in errors.
    ///
    /// - Throws: ``ReplicationError/corruptCheckpoint(file:line:reason:)`` when the text is
    ///   not the format above, an epoch does not fit 32 bits, a value is negative, or the
    ///   entries are out of order.
    public init(checkpointBytes bytes: [UInt8], file: String) throws {
        let rows = try CheckpointText.parse(bytes, file: file, version: Self.version, fieldsPerEntry: 2)
        var entries: [Entry] = []
        entries.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            guard let epoch = Int32(exactly: row[0]), epoch >= 0, row[1] >= 0 else {
                throw ReplicationError.corruptCheckpoint(file: file, line: index + 3, reason: "epoch or offset out of range")
            }
            if let previous = entries.last, epoch <= previous.epoch || row[1] < previous.startOffset {
                throw ReplicationError.corruptCheckpoint(
                    file: file, line: index + 3, reason: "epochs must increase and start offsets must not decrease")
            }
            entries.append(Entry(epoch: epoch, startOffset: row[1]))
        }
        self.entries = entries
    }

    /// Reads the checkpoint of the partition directory `directory`; an empty cache when
    /// there is none.
    ///
    /// - Throws: ``ReplicationError/corruptCheckpoint(file:line:reason:)``;
    ///   ``BasaltError/io(operation:path:errno:)``.
    static func read(directory: String, io: any FileIO) throws -> LeaderEpochCache {
        let path = directory + "/" + fileName
        guard let bytes = try CheckpointFileReader.contents(of: path, io: io) else { return LeaderEpochCache() }
        return try LeaderEpochCache(checkpointBytes: bytes, file: path)
    }

    /// Replaces the checkpoint in `directory` atomically and durably.
    func write(directory: String, io: any FileIO) throws {
        try AtomicFile.replace(directory + "/" + Self.fileName, with: checkpointBytes, io: io)
    }
}
