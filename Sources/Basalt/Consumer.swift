/// Reads a topic's records in offset order per partition for a consumer group, waits
/// for new records without spinning, and commits its position.
///
/// A consumer starts each partition at the group's committed offset; partitions without
/// one, or whose committed offset fell below the log start through retention, start at
/// ``StartPosition``. Commits go to the store's ``CursorStore`` and survive `kill -9`.
public actor Consumer {
    /// Where to start a partition that has no usable committed offset.
    public enum StartPosition: Sendable, Hashable {
        /// The log start offset.
        case earliest
        /// The log end offset: only records appended from now on.
        case latest
        /// The first record with a timestamp at or after this many ms since the epoch
        /// (the log end when there is none).
        case timestamp(Int64)
    }

    /// The consumer group whose commits this consumer reads and writes.
    public let group: String
    /// The topic read.
    public let topic: Topic
    private let cursors: CursorStore
    private let signal: DataSignal
    private let reset: StartPosition
    private let partitionNumbers: [Int32]
    private var positions: [Int32: Int64] = [:]
    private var nextPartition = 0
    /// Bytes of batches read from one partition per step of a poll.
    public var fetchBytes = 1 << 20

    init(store: Store, group: String, topic: Topic, partitions: [Int32]?, reset: StartPosition) throws {
        let numbers = partitions ?? Array(0..<topic.partitionCount)
        for number in numbers { _ = try topic.partition(number) }
        self.group = group
        self.topic = topic
        self.cursors = store.cursors
        self.signal = store.signal
        self.reset = reset
        self.partitionNumbers = numbers
        var positions: [Int32: Int64] = [:]
        for number in numbers {
            let committed = store.cursors.committed(group: group, TopicPartition(topic: topic.name, partition: number))
            positions[number] = try Self.startPosition(try topic.partition(number), committed: committed?.offset, reset: reset)
        }
        self.positions = positions
    }

    private static func startPosition(_ log: PartitionLog, committed: Int64?, reset: StartPosition) throws -> Int64 {
        if let committed, committed >= log.logStartOffset, committed <= log.logEndOffset { return committed }
        switch reset {
        case .earliest: return log.logStartOffset
        case .latest: return log.highWatermark
        case .timestamp(let timestamp): return try log.offset(forTimestamp: timestamp)?.offset ?? log.logEndOffset
        }
    }

    /// The next offset this consumer reads from `partition`.
    public func position(_ partition: Int32) -> Int64? { positions[partition] }

    /// Moves the position of `partition` to `offset`.
    public func seek(_ partition: Int32, to offset: Int64) throws {
        guard positions[partition] != nil else { throw BasaltError.unknownPartition(topic: topic.name, partition: partition) }
        positions[partition] = offset
    }

    /// Returns up to `maxRecords` records from the consumer's partitions, taking turns
    /// between partitions, and advances the positions past them. When none is available
    /// it waits up to `timeout` for an append, then returns what there is (possibly nothing).
    ///
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for damaged data.
    public func poll(maxRecords: Int = 500, timeout: Duration = .zero) async throws -> [ConsumerRecord] {
        let deadline = ContinuousClock.now + timeout
        let logs = try partitionNumbers.map { try topic.partition($0) }
        while true {
            // Marked before looking, so an append between the look and the wait wakes it.
            let mark = signal.mark(logs)
            let records = try readAvailable(maxRecords: maxRecords)
            if !records.isEmpty { return records }
            guard ContinuousClock.now < deadline else { return [] }
            await signal.wait(for: logs, since: mark, until: deadline)
        }
    }

    private func readAvailable(maxRecords: Int) throws -> [ConsumerRecord] {
        var output: [ConsumerRecord] = []
        for step in 0..<partitionNumbers.count where output.count < maxRecords {
            let number = partitionNumbers[(nextPartition + step) % partitionNumbers.count]
            let log = try topic.partition(number)
            var position = positions[number] ?? log.logStartOffset
            if position < log.logStartOffset { position = try Self.startPosition(log, committed: nil, reset: reset) }
            guard position < log.highWatermark else {
                positions[number] = position
                continue
            }
            var records = try log.readRecords(from: position, maxBytes: fetchBytes)
            if records.count > maxRecords - output.count { records.removeLast(records.count - (maxRecords - output.count)) }
            if let last = records.last {
                position = last.offset + 1
            } else if let last = try log.readBatches(from: position, maxBytes: fetchBytes).last {
                // Only batches without records left (a compacted topic's empty batches):
                // move past them, or the consumer would read them again forever.
                position = last.header.nextOffset
            }
            positions[number] = position
            output += records
        }
        nextPartition = (nextPartition + 1) % max(partitionNumbers.count, 1)
        return output
    }

    /// Calls `body` with up to `maxRecords` records that are available now, in place,
    /// taking turns between partitions as ``poll(maxRecords:timeout:)`` does, and advances
    /// the positions past the records visited. The fast path of
    /// ``PartitionLog/forEachRecord(from:maxBytes:isolation:_:)``: no allocation per record. Does not
    /// wait; call ``poll(maxRecords:timeout:)`` or the log's `waitForData` to block.
    ///
    /// - Parameter body: sees each record borrowed. If it throws, the positions stay past
    ///   the records it accepted before, and the error is rethrown.
    /// - Returns: how many records `body` accepted.
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for damaged data;
    ///   whatever `body` throws.
    public func forEachAvailable(maxRecords: Int = 500, _ body: (borrowing RecordView) throws -> Void) throws -> Int {
        var visited = 0
        defer { nextPartition = (nextPartition + 1) % max(partitionNumbers.count, 1) }
        for step in 0..<partitionNumbers.count where visited < maxRecords {
            let number = partitionNumbers[(nextPartition + step) % partitionNumbers.count]
            let log = try topic.partition(number)
            var position = positions[number] ?? log.logStartOffset
            if position < log.logStartOffset { position = try Self.startPosition(log, committed: nil, reset: reset) }
            positions[number] = position
            guard position < log.highWatermark else { continue }
            var lastAccepted: Int64?
            do {
                let next = try log.forEachRecord(from: position, maxBytes: fetchBytes) { record in
                    // Stopping mid-batch: the position then follows the last record taken.
                    guard visited < maxRecords else { throw VisitLimitReached() }
                    try body(record)
                    visited += 1
                    lastAccepted = record.offset
                }
                positions[number] = next
            } catch {
                if let lastAccepted { positions[number] = lastAccepted + 1 }
                if error is VisitLimitReached { break }
                throw error
            }
        }
        return visited
    }

    /// Thrown by the visitor of ``forEachAvailable(maxRecords:_:)`` to end a walk at the
    /// record limit; never leaves the consumer.
    private struct VisitLimitReached: Error {}

    /// Commits the current positions of all partitions, durably.
    public func commit(metadata: String = "") throws {
        var offsets: [TopicPartition: CommittedOffset] = [:]
        for (number, position) in positions {
            offsets[TopicPartition(topic: topic.name, partition: number)] = CommittedOffset(offset: position, metadata: metadata)
        }
        try cursors.commit(group: group, offsets: offsets)
    }

    /// Commits explicit offsets (the next offset to read) for some partitions, durably.
    public func commit(_ offsets: [Int32: Int64], metadata: String = "") throws {
        var committed: [TopicPartition: CommittedOffset] = [:]
        for (number, offset) in offsets {
            guard positions[number] != nil else { throw BasaltError.unknownPartition(topic: topic.name, partition: number) }
            committed[TopicPartition(topic: topic.name, partition: number)] = CommittedOffset(offset: offset, metadata: metadata)
        }
        try cursors.commit(group: group, offsets: committed)
    }
}
