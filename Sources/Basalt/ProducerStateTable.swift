import Foundation
import Synchronization

/// The idempotent-producer state of one partition: for every producer id, its epoch and
/// the sequence numbers and offsets of its last five batches, as Kafka keeps them.
///
/// A broker asks ``check(producerId:epoch:firstSequence:lastSequence:)`` before it
/// appends a batch that carries a producer id. The answer is one of: append it (the
/// table then holds a reservation until ``complete(_:firstOffset:lastOffset:)`` or
/// ``cancel(_:)``), it is a duplicate of a batch already in the log (answer with the
/// original offsets), or it breaks the sequence or epoch rules.
///
/// The state is rebuilt from the log on open (batch headers carry producer id, epoch and
/// base sequence), starting from the newest snapshot file `<offset>.snapshot` in the
/// partition directory, so recovery reads only the headers appended since the snapshot.
/// Applying a batch twice is harmless, so a snapshot's offset only has to be a lower
/// bound of what it covers.
public final class ProducerStateTable: Sendable {
    /// How many batches per producer are remembered for duplicate detection (Kafka: 5,
    /// the most a producer may have in flight with idempotence).
    public static let batchesPerProducer = 5
    /// File extension of snapshots, as Kafka names them.
    public static let snapshotExtension = "snapshot"

    /// One appended batch of a producer.
    public struct BatchMetadata: Sendable, Hashable, Codable {
        /// Sequence number of the first record.
        public var firstSequence: Int32
        /// Sequence number of the last record (wraps past `Int32.max` to 0).
        public var lastSequence: Int32
        /// Offset of the first record.
        public var firstOffset: Int64
        /// Offset of the last record.
        public var lastOffset: Int64
    }

    /// What the table knows of one producer.
    public struct ProducerEntry: Sendable, Hashable, Codable {
        /// The producer id.
        public var producerId: Int64
        /// The newest epoch seen.
        public var epoch: Int16
        /// The last batches, oldest first, at most ``ProducerStateTable/batchesPerProducer``.
        public var batches: [BatchMetadata]
        /// The max timestamp of the producer's last batch (DescribeProducers' LastTimestamp);
        /// `nil` when unknown, as in snapshots written before it was kept.
        public var lastTimestamp: Int64?
    }

    /// A batch reserved by ``check(producerId:epoch:firstSequence:lastSequence:)``.
    public struct Reservation: Sendable, Hashable {
        let producerId: Int64
        let epoch: Int16
        let firstSequence: Int32
        let lastSequence: Int32
    }

    /// The answer to ``check(producerId:epoch:firstSequence:lastSequence:)``.
    public enum Verdict: Sendable, Equatable {
        /// Append the batch, then call ``complete(_:firstOffset:lastOffset:)`` or ``cancel(_:)``.
        case append(Reservation)
        /// The batch is already in the log at these offsets: answer success with them.
        case duplicate(firstOffset: Int64, lastOffset: Int64)
        /// The same batch is being appended right now (a retry racing its original).
        case inFlight
        /// The sequence does not follow the producer's last batch.
        case outOfOrder(expected: Int32)
        /// The batch's epoch is older than the producer's current one (a fenced producer).
        case invalidEpoch(current: Int16)
        /// The producer is unknown and the batch does not start at sequence 0.
        case unknownProducer
    }

    private struct State {
        var producers: [Int64: ProducerEntry] = [:]
        var pending: Set<Reservation> = []
    }

    private struct SnapshotFile: Codable {
        var version: Int
        var offset: Int64
        var producers: [ProducerEntry]
    }

    private let state: Mutex<State>

    /// An empty table.
    public init() {
        state = Mutex(State())
    }

    private init(producers: [Int64: ProducerEntry]) {
        state = Mutex(State(producers: producers))
    }

    /// The last sequence of a batch whose records run from `firstSequence` over
    /// `lastOffsetDelta + 1` offsets, wrapping past `Int32.max` to 0 as Kafka does.
    ///
    /// Both fields come from a batch header (a client's or the log's), so any pair of
    /// values gives an answer: the sum is taken in 64 bits; above `Int32.max` it wraps to 0
    /// and up, and a negative sum (only from headers that fail validation) is truncated.
    public static func lastSequence(first firstSequence: Int32, lastOffsetDelta: Int32) -> Int32 {
        let last = Int64(firstSequence) + Int64(lastOffsetDelta)
        guard last > Int64(Int32.max) else { return Int32(truncatingIfNeeded: last) }
        return Int32(truncatingIfNeeded: (last - Int64(Int32.max) - 1) % (Int64(Int32.max) + 1))
    }

    static func nextSequence(after sequence: Int32) -> Int32 {
        sequence == Int32.max ? 0 : sequence + 1
    }

    /// Decides what to do with a batch of producer `producerId`, and reserves it when it
    /// is to be appended.
    public func check(producerId: Int64, epoch: Int16, firstSequence: Int32, lastSequence: Int32) -> Verdict {
        state.withLock { state in
            let reservation = Reservation(producerId: producerId, epoch: epoch, firstSequence: firstSequence,
                                          lastSequence: lastSequence)
            if state.pending.contains(reservation) { return .inFlight }
            // A reservation of the same producer that is still being appended counts as
            // its last batch, so pipelined batches can be checked before it completes.
            let pendingLast = state.pending.filter { $0.producerId == producerId && $0.epoch == epoch }
                .map(\.lastSequence)
            guard let entry = state.producers[producerId] else {
                if let last = pendingLast.first {
                    guard firstSequence == Self.nextSequence(after: last) else { return .outOfOrder(expected: Self.nextSequence(after: last)) }
                } else if firstSequence != 0 {
                    return .unknownProducer
                }
                state.pending.insert(reservation)
                return .append(reservation)
            }
            if epoch < entry.epoch { return .invalidEpoch(current: entry.epoch) }
            if epoch > entry.epoch {
                // A new epoch starts its sequences over.
                guard firstSequence == 0 || pendingLast.contains(where: { Self.nextSequence(after: $0) == firstSequence }) else {
                    return .outOfOrder(expected: 0)
                }
                state.pending.insert(reservation)
                return .append(reservation)
            }
            if let original = entry.batches.first(where: { $0.firstSequence == firstSequence && $0.lastSequence == lastSequence }) {
                return .duplicate(firstOffset: original.firstOffset, lastOffset: original.lastOffset)
            }
            let last = pendingLast.first ?? entry.batches.last?.lastSequence
            let expected = last.map(Self.nextSequence(after:)) ?? 0
            guard firstSequence == expected else { return .outOfOrder(expected: expected) }
            state.pending.insert(reservation)
            return .append(reservation)
        }
    }

    /// Records that a reserved batch was appended at these offsets.
    public func complete(_ reservation: Reservation, firstOffset: Int64, lastOffset: Int64, maxTimestamp: Int64? = nil) {
        state.withLock { state in
            state.pending.remove(reservation)
            Self.apply(&state.producers, producerId: reservation.producerId, epoch: reservation.epoch,
                       batch: BatchMetadata(firstSequence: reservation.firstSequence, lastSequence: reservation.lastSequence,
                                            firstOffset: firstOffset, lastOffset: lastOffset),
                       maxTimestamp: maxTimestamp)
        }
    }

    /// Drops a reservation whose append failed.
    public func cancel(_ reservation: Reservation) {
        _ = state.withLock { $0.pending.remove(reservation) }
    }

    /// Applies a batch header read from the log (recovery). Batches without a producer
    /// id are ignored; a batch already known is not added twice.
    public func apply(_ header: RecordBatchHeader) {
        guard header.producerId >= 0, header.baseSequence >= 0 else { return }
        let batch = BatchMetadata(
            firstSequence: header.baseSequence,
            lastSequence: Self.lastSequence(first: header.baseSequence, lastOffsetDelta: header.lastOffsetDelta),
            firstOffset: header.baseOffset, lastOffset: header.lastOffset)
        state.withLock {
            Self.apply(&$0.producers, producerId: header.producerId, epoch: header.producerEpoch, batch: batch,
                       maxTimestamp: header.maxTimestamp)
        }
    }

    private static func apply(
        _ producers: inout [Int64: ProducerEntry], producerId: Int64, epoch: Int16, batch: BatchMetadata, maxTimestamp: Int64?
    ) {
        var entry = producers[producerId] ?? ProducerEntry(producerId: producerId, epoch: epoch, batches: [])
        if epoch > entry.epoch {
            entry.epoch = epoch
            entry.batches = []
        } else if epoch < entry.epoch {
            return
        }
        guard !entry.batches.contains(where: { $0.firstOffset == batch.firstOffset }) else { return }
        entry.batches.append(batch)
        entry.lastTimestamp = maxTimestamp ?? entry.lastTimestamp
        if entry.batches.count > batchesPerProducer { entry.batches.removeFirst(entry.batches.count - batchesPerProducer) }
        producers[producerId] = entry
    }

    /// What the table knows of `producerId`.
    public func entry(_ producerId: Int64) -> ProducerEntry? {
        state.withLock { $0.producers[producerId] }
    }

    /// Every producer the table knows, by producer id.
    public var entries: [ProducerEntry] {
        state.withLock { $0.producers.values.sorted { $0.producerId < $1.producerId } }
    }

    /// Number of producers known.
    public var count: Int { state.withLock { $0.producers.count } }

    /// The largest producer id below `limit` the table knows, or nil when it knows none.
    /// A broker's producer-id allocator starts above it, so no id the log holds is
    /// handed out again; ids at or above the allocator's limit (which only a client that
    /// made its id up can have written) are left out, as it never hands those out.
    public func highestProducerId(below limit: Int64) -> Int64? {
        state.withLock { $0.producers.keys.filter { $0 < limit }.max() }
    }

    // MARK: - Snapshots and recovery

    /// The most a snapshot file may hold (about 150,000 producers). A larger one is
    /// treated as damaged: skipped, and its state rebuilt from the log.
    public static let maxSnapshotBytes = 64 << 20

    /// Loads the state of `log`: the newest usable snapshot at or below its end offset,
    /// then the headers of every batch after it.
    ///
    /// A snapshot is derived data, so a damaged one (larger than ``maxSnapshotBytes``,
    /// unreadable, not JSON of version 1, or naming another offset than its file name)
    /// is skipped and the state is rebuilt from an older snapshot or from the log start:
    /// slower, never wrong. It is not skipped silently: `onDamagedSnapshot` gets a
    /// ``BasaltError`` naming the file, for the caller to log. The next snapshot written
    /// replaces it.
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for a damaged batch header.
    public static func load(
        for log: PartitionLog, onDamagedSnapshot: (BasaltError) -> Void = { _ in }
    ) throws -> ProducerStateTable {
        let end = log.logEndOffset
        // A snapshot write cut short by a crash leaves its temporary file behind.
        for name in (try? Directory.entries(log.directory)) ?? [] where name.hasSuffix("." + snapshotExtension + ".tmp") {
            try? Segment.removeIfPresent(log.directory + "/" + name, io: log.io)
        }
        var producers: [Int64: ProducerEntry] = [:]
        var from = log.logStartOffset
        for (offset, path) in snapshotFiles(in: log.directory).reversed() where offset <= end {
            let file: SnapshotFile
            do {
                file = try readSnapshot(path, offset: offset, io: log.io)
            } catch let error as BasaltError {
                onDamagedSnapshot(error)
                continue
            }
            for entry in file.producers { producers[entry.producerId] = entry }
            from = max(from, file.offset)
            break
        }
        let table = ProducerStateTable(producers: producers)
        try log.forEachBatchHeader(from: from) { table.apply($0) }
        return table
    }

    /// The snapshot at `path`, whose file name says `offset`.
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` when it is too large
    ///   or not a snapshot of version 1 for that offset; ``BasaltError/io(operation:path:errno:)``.
    private static func readSnapshot(_ path: String, offset: Int64, io: any FileIO) throws -> SnapshotFile {
        // Listed a moment ago, so absent only if removed meanwhile: read as empty.
        let bytes = try AtomicFile.read(path, maxBytes: maxSnapshotBytes, io: io) ?? []
        guard let file = try? JSONDecoder().decode(SnapshotFile.self, from: Data(bytes)), file.version == 1 else {
            throw BasaltError.corruptLog(file: path, position: 0, reason: "not a producer state snapshot of version 1")
        }
        // Recovery replays the log from `file.offset`: a larger one would skip batches.
        guard file.offset == offset else {
            throw BasaltError.corruptLog(file: path, position: 0, reason: "holds offset \(file.offset), its name says \(offset)")
        }
        for entry in file.producers where entry.producerId < 0 || entry.batches.count > batchesPerProducer {
            throw BasaltError.corruptLog(file: path, position: 0,
                                         reason: "producer \(entry.producerId) with \(entry.batches.count) batches")
        }
        return file
    }

    /// Writes a snapshot of the table into the log's directory and removes older ones.
    ///
    /// Skipped (returns false) while a reserved batch is being appended, since the
    /// snapshot could then miss a batch below the offset it records.
    @discardableResult
    public func writeSnapshot(for log: PartitionLog) throws -> Bool {
        let captured: SnapshotFile? = state.withLock { state in
            guard state.pending.isEmpty else { return nil }
            // Read under the lock: every batch reserved before now has completed, so the
            // table covers every producer batch below this offset.
            return SnapshotFile(version: 1, offset: log.logEndOffset,
                                producers: state.producers.values.sorted { $0.producerId < $1.producerId })
        }
        guard let captured else { return false }
        let old = Self.snapshotFiles(in: log.directory)
        let path = log.directory + "/" + SegmentFileName.name(captured.offset, Self.snapshotExtension)
        let bytes: Data
        do {
            bytes = try JSONEncoder().encode(captured)
        } catch {
            throw BasaltError.invalidConfiguration("cannot encode a producer state snapshot: \(error)")
        }
        try AtomicFile.replace(path, with: Array(bytes), io: log.io)
        for (offset, oldPath) in old where offset != captured.offset {
            try Segment.removeIfPresent(oldPath, io: log.io)
        }
        return true
    }

    /// Snapshot files of a partition directory by offset, oldest first.
    static func snapshotFiles(in directory: String) -> [(offset: Int64, path: String)] {
        guard let names = try? Directory.entries(directory) else { return [] }
        return names.compactMap { name -> (Int64, String)? in
            guard let parsed = SegmentFileName.parse(name), parsed.fileExtension == snapshotExtension else { return nil }
            return (parsed.baseOffset, directory + "/" + name)
        }.sorted { $0.0 < $1.0 }
    }
}
