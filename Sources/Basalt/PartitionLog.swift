import Glibc
import Synchronization

/// The log of one partition: a directory of segments, appended to at the end and read
/// from any offset.
///
/// - Appends are safe from any number of concurrent callers; one writes at a time.
///   Each append is one `pwritev` of a whole batch to the active segment, then index
///   entries every ``LogConfig/indexIntervalBytes``, then, under
///   ``Durability/everyAppend``, a shared `fdatasync` (see ``Flusher``).
/// - Reads run concurrently with appends. They see a consistent snapshot: only whole
///   batches, only up to ``logEndOffset`` at the moment of the read, and under
///   ``Durability/everyAppend`` only what is durable.
/// - Opening recovers from an unclean shutdown (see ``SegmentRecovery``) by scanning only
///   the segments from the last recovery point on.
/// - Replication (see `PartitionLog+Replication.swift`): each batch a leader appends is
///   stamped with the current leader epoch, kept with its start offset in a
///   ``LeaderEpochCache``; a follower appends its leader's batches unchanged with
///   ``appendAsFollower(_:)``; ``truncate(to:)`` cuts a diverged suffix; and consumers
///   read up to the ``highWatermark``, which in single-node mode is the log end.
public final class PartitionLog: Sendable {
    /// The partition directory.
    public let directory: String
    /// The log's settings now; ``updateConfig(_:)`` changes them while the log is open.
    public var config: LogConfig { settings.withLock { $0 } }
    /// The settings behind ``config``. A leaf lock: nothing else is taken while it is held.
    let settings: Mutex<LogConfig>
    /// The partition number, from the directory name `<topic>-<partition>` (0 when the
    /// name has no number); records read from this log carry it.
    public let partitionNumber: Int32
    let io: any FileIO
    let flusher: Flusher
    let clock: @Sendable () -> Int64
    let writer: Mutex<WriterState>
    let published: Mutex<ReadView>
    /// Wakes the tasks waiting for this log to change: the store's signal, shared by all
    /// its partitions, or the log's own when it was opened on its own.
    public let signal: DataSignal
    /// This log's change count and waiter count, kept for ``signal``.
    let waitState = DataSignal.LogState()
    /// The value last written to the `high-watermark` checkpoint. Its lock is held while
    /// the file is written, so there is one writer at a time; it is taken after the
    /// writer's lock, never before it.
    let highWatermarkFile: Mutex<Int64?>
    /// The idle buffer of ``forEachRecord(from:maxBytes:isolation:_:)``, kept between calls.
    let idleReadBuffer = Mutex<ReadBuffer?>(nil)

    /// What the append path owns.
    struct WriterState {
        var segments: [Segment]
        var nextOffset: Int64
        var logStartOffset: Int64
        var durableOffset: Int64
        var recoveryPoint: Int64
        var closed = false
        /// Set when the log can no longer be appended to safely; appends throw it.
        var failure: BasaltError?
        var intervalFlushPending = false
        /// Set when creating the next segment failed: its files may be on disk under the
        /// log end offset, so no batch may go to the active segment before a roll succeeds.
        var rollRequired = false
        /// Bumped each time a failed sync cuts the log back, so waiters from before the
        /// cut can tell their offsets were reused.
        var epoch: UInt64 = 0
        /// The error of the last failed sync, for waiters cut by it.
        var lastSyncFailure: BasaltError?
        /// Why the last cut (a failed sync or a truncation) happened, for waiters from
        /// before it.
        var lastCutFailure: (any Error & Sendable)?
        /// Leader epochs and their start offsets; mirrored in `leader-epoch-checkpoint`.
        var leaderEpochs: LeaderEpochCache
        /// Whether the high watermark moves only through `updateHighWatermark` and
        /// truncation (replicated mode) rather than following the log end.
        var replicated = false
        /// The high watermark in replicated mode; unused otherwise.
        var highWatermark: Int64
        /// The high watermark found at open: the checkpoint capped at the log end, for
        /// `enableReplication`.
        var openedHighWatermark: Int64
        /// A cut back to the last durable end that failed; retried before the next
        /// append and on close, so a failed append never stays in the file.
        var pendingRollback: (segment: Segment, keepBytes: Int64, keepOffset: Int64)?
        var active: Segment { segments[segments.count - 1] }
    }

    /// A consistent snapshot for readers.
    struct ReadView: Sendable {
        var segments: [SegmentView]
        var logStartOffset: Int64
        var endOffset: Int64
        var durableOffset: Int64
        /// At most `endOffset`; equal to it unless the log is replicated.
        var highWatermark: Int64
        /// The upper bound of a read with `isolation`.
        func limit(_ isolation: ReadIsolation) -> Int64 {
            switch isolation {
            case .highWatermark: highWatermark
            case .logEnd: endOffset
            }
        }
    }

    struct SegmentView: Sendable {
        let segment: Segment
        /// Bytes readers may read.
        let size: Int64
        /// The offset after the last readable batch.
        let endOffset: Int64
    }

    /// What opening the log found and did.
    public struct OpenReport: Sendable, Equatable {
        /// Whether the last close was clean, so nothing was scanned.
        public var wasClean: Bool
        /// Segments whose batches were scanned and indexes rebuilt.
        public var recoveredSegments: Int
        /// Bytes cut from torn tails.
        public var truncatedBytes: Int64
    }

    /// What the last open found.
    public let openReport: OpenReport

    // MARK: - Opening

    /// Opens the log in `directory`, creating it when absent, and recovers it when the
    /// last shutdown was not clean.
    ///
    /// - Parameters:
    ///   - flusher: shared by the logs of a store for group commit; a new one if nil.
    ///   - io: the file seam; tests inject faults through it.
    ///   - clock: wall-clock milliseconds, for timestamps, rolling and retention.
    /// - Throws: ``BasaltError/corruptLog(file:position:reason:)`` for damage recovery
    ///   must not truncate; ``ReplicationError/corruptCheckpoint(file:line:reason:)`` for a
    ///   damaged `leader-epoch-checkpoint` or `high-watermark`;
    ///   ``BasaltError/io(operation:path:errno:)``.
    public convenience init(
        directory: String, config: LogConfig = LogConfig(), flusher: Flusher? = nil,
        io: any FileIO = SystemFileIO(), clock: @escaping @Sendable () -> Int64 = WallClock.milliseconds
    ) throws {
        try self.init(directory: directory, config: config, flusher: flusher, io: io, clock: clock, signal: DataSignal())
    }

    /// Opens the log reporting its changes to `signal`, which a ``Store`` shares among all
    /// its partitions so one waiter can watch partitions of several topics.
    init(
        directory: String, config: LogConfig, flusher: Flusher?, io: any FileIO,
        clock: @escaping @Sendable () -> Int64, signal: DataSignal
    ) throws {
        try config.validate()
        try Directory.create(directory)
        let opened = try LogLoader.load(directory: directory, config: config, io: io, nowMs: clock())
        self.directory = directory
        self.settings = Mutex(config)
        self.partitionNumber = Self.partitionNumber(fromDirectory: directory)
        self.io = io
        self.flusher = flusher ?? Flusher()
        self.clock = clock
        self.signal = signal
        self.openReport = opened.report
        // Epochs recorded past the recovered log end belong to batches that did not
        // survive; those below the log start to segments retention deleted.
        var epochs = try LeaderEpochCache.read(directory: directory, io: io)
        let cutEnd = epochs.truncateFromEnd(opened.nextOffset)
        let cutStart = epochs.truncateFromStart(opened.logStartOffset)
        if cutEnd || cutStart { try epochs.write(directory: directory, io: io) }
        // Never trust a checkpointed high watermark past what recovery kept.
        let checkpointed = try HighWatermarkCheckpoint.read(directory: directory, io: io)
        let openedHighWatermark = min(max(checkpointed ?? opened.logStartOffset, opened.logStartOffset), opened.nextOffset)
        let state = WriterState(
            segments: opened.segments, nextOffset: opened.nextOffset, logStartOffset: opened.logStartOffset,
            durableOffset: opened.nextOffset, recoveryPoint: opened.recoveryPoint, leaderEpochs: epochs,
            highWatermark: openedHighWatermark, openedHighWatermark: openedHighWatermark)
        self.highWatermarkFile = Mutex(checkpointed)
        self.published = Mutex(Self.makeView(state, endOffset: state.nextOffset, activeSize: state.active.size))
        self.writer = Mutex(state)
    }

    /// Replaces the log's settings while it is open. Appends use them from the next one
    /// on, retention from its next run; ``LogConfig/maxIndexBytes`` only sizes segments
    /// created from now on. The settings are not stored by the log: its owner (a ``Store``
    /// topic file) keeps them.
    ///
    /// - Throws: ``BasaltError/invalidConfiguration(_:)`` when `config` is out of range.
    public func updateConfig(_ config: LogConfig) throws {
        try config.validate()
        settings.withLock { $0 = config }
    }

    static func partitionNumber(fromDirectory directory: String) -> Int32 {
        let name = directory.split(separator: "/").last ?? ""
        guard let dash = name.lastIndex(of: "-"), let number = Int32(name[name.index(after: dash)...]), number >= 0 else {
            return 0
        }
        return number
    }

    static func makeView(_ state: WriterState, endOffset: Int64, activeSize: Int64) -> ReadView {
        var views: [SegmentView] = []
        views.reserveCapacity(state.segments.count)
        for (index, segment) in state.segments.enumerated() {
            if index == state.segments.count - 1 {
                views.append(SegmentView(segment: segment, size: activeSize, endOffset: endOffset))
            } else {
                views.append(SegmentView(segment: segment, size: segment.size, endOffset: state.segments[index + 1].baseOffset))
            }
        }
        let highWatermark = state.replicated
            ? max(min(state.highWatermark, endOffset), min(state.logStartOffset, endOffset)) : endOffset
        return ReadView(segments: views, logStartOffset: state.logStartOffset, endOffset: endOffset,
                        durableOffset: state.durableOffset, highWatermark: highWatermark)
    }

    // MARK: - Offsets

    /// The first readable offset.
    public var logStartOffset: Int64 { published.withLock { $0.logStartOffset } }
    /// The offset the next record will get, as readers see it.
    public var logEndOffset: Int64 { published.withLock { $0.endOffset } }
    /// Every offset below it is on stable storage.
    public var durableOffset: Int64 { writer.withLock { $0.durableOffset } }
    /// Bytes of all segments readers can see.
    public var sizeInBytes: Int64 { published.withLock { $0.segments.reduce(0) { $0 + $1.size } } }
    /// Number of segments.
    public var segmentCount: Int { published.withLock { $0.segments.count } }

    // MARK: - Appending

    /// Encodes `records` as one batch and appends it.
    ///
    /// Returns once the batch is readable and, under ``Durability/everyAppend``, durable.
    /// - Throws: ``BasaltError/messageTooLarge(bytes:limit:)`` past
    ///   ``LogConfig/maxMessageBytes``; ``BasaltError/io(operation:path:errno:)`` when a
    ///   write fails (the append is then invisible and the log still valid).
    @discardableResult
    public func append(
        _ records: [Record], compression: CompressionCodec = .none,
        producer: RecordBatchEncoder.ProducerFields = .none
    ) async throws -> AppendResult {
        if config.cleanupPolicy.compacts, records.contains(where: { $0.key == nil }) {
            throw BasaltError.invalidBatch(reason: "Compacted topic cannot accept message without key")
        }
        let batch = try RecordBatchEncoder.encode(records, compression: compression, producer: producer, timestamp: clock())
        guard batch.count <= config.maxMessageBytes else {
            throw BasaltError.messageTooLarge(bytes: batch.count, limit: config.maxMessageBytes)
        }
        let header = try batch.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }
        return try await appendEncoded(batch, header: header)
    }

    /// Appends a batch that arrives already encoded (from a Kafka client), without
    /// re-encoding: its CRC and record structure are checked, then only its base offset
    /// is rewritten.
    ///
    /// - Throws: ``BasaltError/crcMismatch(stored:computed:)``,
    ///   ``BasaltError/invalidBatch(reason:)`` (also for a record without a key when the
    ///   topic compacts, as Kafka refuses it), ``BasaltError/unsupportedCompression(codec:)``,
    ///   ``BasaltError/messageTooLarge(bytes:limit:)``, and the errors of a failed write.
    @discardableResult
    public func append(encodedBatch: [UInt8]) async throws -> AppendResult {
        let batch = try RecordBatch(storage: encodedBatch, maxBatchBytes: config.maxMessageBytes)
        guard batch.header.totalSize == encodedBatch.count else {
            throw BasaltError.invalidBatch(reason: "\(encodedBatch.count - batch.header.totalSize) bytes after the batch")
        }
        try batch.validateRecords(decompressedLimit: max(config.maxMessageBytes * 256, 64 << 20),
                                  requireKeys: config.cleanupPolicy.compacts)
        return try await appendEncoded(encodedBatch, header: batch.header)
    }

    private func appendEncoded(_ batch: [UInt8], header: RecordBatchHeader) async throws -> AppendResult {
        // One snapshot for the whole append, so a settings change midway cannot make it
        // publish under one durability policy and wait under another.
        let config = self.config
        let durability = config.durability
        let (result, epoch): (AppendResult, UInt64) = try writer.withLock { state in
            guard !state.closed else { throw BasaltError.closed }
            if state.pendingRollback != nil { try completeRollback(&state) }
            if let failure = state.failure { throw failure }
            try rollIfNeeded(&state, incoming: header)
            let baseOffset = state.nextOffset
            let leaderEpoch = state.leaderEpochs.latestEpoch ?? 0
            let active = state.active
            let position = active.size
            do {
                // The base offset and the leader epoch go out from their own bytes,
                // gathered with the rest of the batch: rewriting them in `batch` would copy
                // a batch the caller (the broker's produce path) still holds. Neither is
                // covered by the CRC. Same bytes on disk, one system call.
                try withUnsafeBytes(of: baseOffset.bigEndian) { offsetBytes in
                    try withUnsafeBytes(of: leaderEpoch.bigEndian) { epochBytes in
                        try batch.withUnsafeBytes { bytes in
                            try active.log.write(
                                [offsetBytes, UnsafeRawBufferPointer(rebasing: bytes[8..<12]), epochBytes,
                                 UnsafeRawBufferPointer(rebasing: bytes[16...])], at: position)
                        }
                    }
                }
            } catch {
                // Cut whatever part of the batch reached the file; if that fails too, the
                // next append overwrites it anyway, and recovery would cut it as a torn tail.
                try? active.log.truncate(to: position)
                throw error
            }
            var written = header
            written.baseOffset = baseOffset
            written.partitionLeaderEpoch = leaderEpoch
            active.didAppend(written, at: position, indexIntervalBytes: config.indexIntervalBytes)
            state.nextOffset = written.nextOffset
            if durability != .everyAppend {
                publish(state, endOffset: state.nextOffset, activeSize: active.size)
            }
            let result = AppendResult(baseOffset: baseOffset, lastOffset: written.lastOffset, maxTimestamp: written.maxTimestamp)
            return (result, state.epoch)
        }
        try await awaitDurability(durability, endOffset: result.lastOffset + 1, epoch: epoch)
        return result
    }

    /// Waits as `durability` (the policy the append was made under) asks for an append
    /// that reached `endOffset` in rollback `epoch`, and wakes readers once the append is
    /// readable.
    func awaitDurability(_ durability: Durability, endOffset: Int64, epoch: UInt64) async throws {
        switch durability {
        case .everyAppend:
            try await flusher.sync(self, endOffset: endOffset, epoch: epoch)
        case .interval(let milliseconds):
            signal.changed(self)
            let schedule = writer.withLock { state in
                defer { state.intervalFlushPending = true }
                return !state.intervalFlushPending
            }
            if schedule { flusher.schedule(self, afterMilliseconds: milliseconds) }
        case .os:
            signal.changed(self)
        }
    }

    /// Rolls to a new segment when the incoming batch does not fit the active one.
    func rollIfNeeded(_ state: inout WriterState, incoming header: RecordBatchHeader) throws {
        let active = state.active
        guard !active.isEmpty else { return }
        let tooBig = active.size + Int64(header.totalSize) > Int64(config.segmentBytes)
        let tooOld = clock() - active.openedAtMs > config.segmentMs
        let offsetOverflow = state.nextOffset + Int64(header.lastOffsetDelta) - active.baseOffset > Int64(Int32.max)
        guard tooBig || tooOld || offsetOverflow || active.indexesFull || state.rollRequired else { return }
        try roll(&state)
    }

    /// Seals the active segment and starts a new one at the log end offset.
    func roll(_ state: inout WriterState) throws {
        let old = state.active
        // Create first: a full disk fails here and leaves the active segment untouched.
        let fresh: Segment
        do {
            fresh = try Segment.create(directory: directory, baseOffset: state.nextOffset, config: config, io: io, nowMs: clock())
        } catch {
            // Part of the new segment may exist; a later batch written past its base
            // would make the directory unopenable, so the next append rolls first.
            state.rollRequired = true
            throw error
        }
        state.rollRequired = false
        do {
            try old.seal()
        } catch let error as BasaltError {
            // The old segment's indexes may be trimmed already; appending to it could
            // touch unmapped file pages. Stop appends until the log is reopened.
            try? fresh.deleteFiles(io: io)
            state.failure = error
            throw error
        }
        state.segments.append(fresh)
        state.durableOffset = max(state.durableOffset, state.nextOffset)
        state.recoveryPoint = state.nextOffset
        publish(state, endOffset: state.nextOffset, activeSize: 0)
        // Best effort: a stale checkpoint only means recovery scans more.
        try? PartitionCheckpoint(recoveryPoint: state.recoveryPoint, logStartOffset: state.logStartOffset, clean: nil)
            .write(directory: directory, io: io)
    }

    /// Forces a roll now (tests, and operators shrinking the active segment).
    public func roll() throws {
        try writer.withLock { state in
            guard !state.closed else { throw BasaltError.closed }
            if let failure = state.failure { throw failure }
            guard !state.active.isEmpty else { return }
            try roll(&state)
        }
    }

    func publish(_ state: WriterState, endOffset: Int64, activeSize: Int64) {
        let view = Self.makeView(state, endOffset: endOffset, activeSize: activeSize)
        published.withLock { $0 = view }
    }

    // MARK: - Flushing

    /// Called by the ``Flusher``: syncs the active segment and publishes what the sync
    /// covered. On failure, cuts the log back to its last durable end, so the appends
    /// that were waiting never become visible.
    func syncForWaiters() throws {
        let (segment, endOffset, size, durable, epoch) = writer.withLock { state in
            (state.active, state.nextOffset, state.active.size, state.durableOffset, state.epoch)
        }
        guard endOffset > durable else { return }
        do {
            try segment.log.sync()
        } catch let error as BasaltError {
            rollBackUnsynced(segment, error: error)
            throw failureAfterSync(error)
        }
        writer.withLock { state in
            // A truncation while the sync ran cut the log below `endOffset`: what the sync
            // covered is no longer the log, and its waiters are failed by the epoch check.
            guard state.epoch == epoch else { return }
            state.durableOffset = max(state.durableOffset, endOffset)
            // Under every-append the sync is what makes these appends readable. Asked
            // whether the readable end is behind, not which policy is in force: the
            // policy may have changed since the appends were made.
            if state.active === segment, published.withLock({ $0.endOffset < endOffset }) {
                publish(state, endOffset: endOffset, activeSize: size)
            }
        }
        signal.changed(self)
    }

    /// Why an append that reached `endOffset` in `epoch` is not durable, or nil when it is.
    func durabilityFailure(endOffset: Int64, epoch: UInt64) -> (any Error)? {
        writer.withLock { state -> (any Error)? in
            if state.epoch != epoch { return state.lastCutFailure ?? state.lastSyncFailure ?? BasaltError.closed }
            if state.durableOffset >= endOffset { return nil }
            return state.failure ?? state.lastSyncFailure ?? .closed
        }
    }

    /// Syncs now whatever was appended; used by ``Durability/interval(milliseconds:)`` and
    /// available to callers that want a durability point under any policy.
    public func flush() throws {
        let (segment, endOffset, epoch) = writer.withLock { state in (state.active, state.nextOffset, state.epoch) }
        do {
            try segment.log.sync()
        } catch let error as BasaltError {
            // Under the interval and OS policies readers may already have seen the data,
            // so it is not cut back; the log stops taking appends until reopened.
            writer.withLock { $0.failure = failureAfterSync(error) }
            throw failureAfterSync(error)
        }
        writer.withLock { state in
            guard state.epoch == epoch else { return }
            state.durableOffset = max(state.durableOffset, endOffset)
        }
    }

    func flushScheduled() {
        writer.withLock { $0.intervalFlushPending = false }
        try? flush()
    }

    private func failureAfterSync(_ error: BasaltError) -> BasaltError {
        if case .io(_, let path, let code) = error { return .flushFailed(path: path, errno: code) }
        return error
    }

    private func rollBackUnsynced(_ segment: Segment, error: BasaltError) {
        writer.withLock { state in
            guard state.active === segment else { return }
            state.epoch += 1
            state.lastSyncFailure = failureAfterSync(error)
            state.lastCutFailure = failureAfterSync(error)
            let keepBytes = published.withLock { view in view.segments.last?.size ?? 0 }
            state.pendingRollback = (segment, keepBytes, state.durableOffset)
            do {
                try completeRollback(&state)
            } catch let rollbackError as BasaltError {
                state.failure = rollbackError
            } catch {
                state.failure = failureAfterSync(.closed)
            }
        }
    }

    /// Cuts the active segment back to the last durable end recorded in
    /// `pendingRollback`, and rebuilds its bookkeeping from what remains.
    func completeRollback(_ state: inout WriterState) throws {
        guard let rollback = state.pendingRollback else { return }
        try rollback.segment.log.truncate(to: rollback.keepBytes)
        _ = try SegmentRecovery.recover(rollback.segment, config: config)
        guard rollback.segment.nextOffset == rollback.keepOffset else {
            throw BasaltError.corruptLog(
                file: rollback.segment.logPath, position: rollback.keepBytes,
                reason: "rollback ended at offset \(rollback.segment.nextOffset), expected \(rollback.keepOffset)")
        }
        state.nextOffset = rollback.keepOffset
        state.pendingRollback = nil
        state.failure = nil
    }

    // MARK: - Closing

    /// Syncs and seals the active segment and records a clean shutdown, so the next
    /// open scans nothing. Appends and reads afterwards throw ``BasaltError/closed``.
    public func close() throws {
        try writer.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            if state.pendingRollback != nil { try completeRollback(&state) }
            // A log that stopped on a failure is left for recovery at the next open,
            // never recorded as cleanly closed.
            if let failure = state.failure { throw failure }
            let active = state.active
            try active.seal()
            state.durableOffset = state.nextOffset
            let clean = PartitionCheckpoint.CleanShutdown(
                logEndOffset: state.nextOffset, activeBaseOffset: active.baseOffset, activeBytes: active.size)
            if state.replicated { try writeHighWatermarkCheckpoint(onlyIfLower: false) }
            try PartitionCheckpoint(recoveryPoint: state.nextOffset, logStartOffset: state.logStartOffset, clean: clean)
                .write(directory: directory, io: io)
        }
        signal.changed(self)
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { writer.withLock { $0.closed } }
}

extension PartitionLog {
    /// Wakes the tasks waiting on this log (see ``DataSignal``) as if it had changed, so
    /// they look again. For changes the log does not see itself: a broker calls it when
    /// the log's partition gains or loses leadership, which parked fetches must re-check.
    /// The log calls it on every change of its own.
    public func wakeWaiters() {
        signal.changed(self)
    }
}
