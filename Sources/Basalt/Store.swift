import Foundation
import Synchronization

/// A directory of topics, each with partitions, and the consumer cursors over them: the
/// embedded Basalt database.
///
/// ```
/// let store = try Store(directory: "/var/lib/app/events")
/// let orders = try store.createTopic("orders", partitions: 3)
/// try await orders.append([Record(key: Array("42".utf8), value: Array("paid".utf8))])
/// let consumer = try store.consumer(group: "billing", topic: "orders")
/// let records = try await consumer.poll(timeout: .seconds(1))
/// ```
///
/// Layout, as Kafka's: `<topic>-<partition>/` per partition, `topics/<topic>.json` per
/// topic (partition count and settings), `cursors/` for committed offsets, and `.lock`,
/// locked while a process has the store open.
public final class Store: Sendable {
    /// The store directory.
    public let directory: String
    /// Settings for topics created without their own.
    public let defaultConfig: LogConfig
    /// Committed offsets of consumer groups.
    public let cursors: CursorStore
    /// Wakes the tasks waiting for this store's partitions to change; every partition of
    /// every topic reports to it (see ``DataSignal``).
    public let signal: DataSignal
    let io: any FileIO
    let flusher: Flusher
    let clock: @Sendable () -> Int64
    private let lock: StoreLock
    let topics: Mutex<TopicTable>
    private let closed = Atomic<Bool>(false)
    private let retention = Mutex<Task<Void, Never>?>(nil)
    private let onMaintenanceFailure: (@Sendable (MaintenanceFailure) -> Void)?
    /// Compacts the partitions of compacted topics (see ``runCleaner()``).
    public let cleaner: LogCleaner
    private let cleanerTask = Mutex<Task<Void, Never>?>(nil)
    private let onCleaned: (@Sendable (TopicPartition, CleanerStats) -> Void)?

    /// The open topics, and the names held by creates and deletes doing their I/O.
    ///
    /// The lock is held only to look up, reserve and publish; never across disk I/O, so a
    /// lookup (every broker request makes several) never waits behind a topic's files
    /// being written and synced.
    struct TopicTable {
        var topics: [String: Topic]
        var reserved: [String: TopicReservation] = [:]
    }

    static let topicsDirectory = "topics"
    static let cursorsDirectory = "cursors"
    static let maxPartitions: Int32 = 10_000
    /// The most a topic description file may hold; one is a few hundred bytes.
    static let maxTopicFileBytes = 1 << 20

    struct TopicFile: Codable {
        var version: Int
        var name: String
        var partitions: Int32
        var config: LogConfig

        /// The description in `bytes`, or `nil` when they are not a valid topic file of
        /// version 1 (unparsable, a bad name, a partition count outside
        /// 1...``Store/maxPartitions``, settings ``LogConfig/validate()`` refuses): the
        /// same rules ``Store/createTopic(_:partitions:config:)`` applies, so no value
        /// from the file reaches a partition that a client could not have asked for.
        static func decode(_ bytes: [UInt8]) -> TopicFile? {
            guard let completed = withDefaultSettings(bytes),
                  let description = try? JSONDecoder().decode(TopicFile.self, from: completed), description.version == 1,
                  (try? NameRules.validateTopic(description.name)) != nil,
                  description.partitions > 0, description.partitions <= Store.maxPartitions,
                  (try? description.config.validate()) != nil else { return nil }
            return description
        }

        /// `bytes` with every ``LogConfig`` field the file lacks set to its default, so a
        /// topic file written before a setting existed (the compaction settings, for one)
        /// still loads, whatever fields are added later. Nil when `bytes` is not a JSON
        /// object.
        private static func withDefaultSettings(_ bytes: [UInt8]) -> Data? {
            guard var object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else { return nil }
            if var config = object["config"] as? [String: Any],
               let encoded = try? JSONEncoder().encode(LogConfig()),
               let defaults = (try? JSONSerialization.jsonObject(with: encoded)) as? [String: Any] {
                for (name, value) in defaults where config[name] == nil { config[name] = value }
                object["config"] = config
            }
            return try? JSONSerialization.data(withJSONObject: object)
        }
    }

    /// Opens the store in `directory`, creating it when absent, and opens (recovering if
    /// needed) every partition of every topic.
    ///
    /// - Parameters:
    ///   - retentionCheckInterval: how often retention runs in the background; nil to run
    ///     it only through ``enforceRetention()``.
    ///   - onMaintenanceFailure: called (on the retention task, or the caller of
    ///     ``enforceRetention()``) with each partition whose retention failed; the other
    ///     partitions are still processed. The store itself neither logs nor counts, so
    ///     an application hands the failures to its own logging and metrics here.
    ///   - cleanerInterval: how often the log cleaner looks at the partitions of compacted
    ///     topics in the background (Kafka's `log.cleaner.backoff.ms`); nil to clean only
    ///     through ``runCleaner()``.
    ///   - cleanerKeyMapBytes: memory of the cleaner's key map (``LogCleaner``); a dirty
    ///     section with more keys than fit is cleaned over several rounds.
    ///   - onCleaned: called after each partition the cleaner compacted, with what it did.
    /// - Throws: ``BasaltError/storeLocked(path:)`` when another process has it open;
    ///   ``BasaltError/corruptLog(file:position:reason:)`` naming a topic description,
    ///   cursor file or partition checkpoint that is larger than its limit or does not
    ///   parse; and the errors of opening a ``PartitionLog``.
    public init(
        directory: String, defaultConfig: LogConfig = LogConfig(), retentionCheckInterval: Duration? = .seconds(300),
        io: any FileIO = SystemFileIO(), clock: @escaping @Sendable () -> Int64 = WallClock.milliseconds,
        onMaintenanceFailure: (@Sendable (MaintenanceFailure) -> Void)? = nil,
        cleanerInterval: Duration? = .seconds(15), cleanerKeyMapBytes: Int = 16 << 20,
        onCleaned: (@Sendable (TopicPartition, CleanerStats) -> Void)? = nil
    ) throws {
        try defaultConfig.validate()
        try Directory.create(directory)
        let lock = try StoreLock(directory: directory, io: io)
        let flusher = Flusher(label: "basalt.flusher")
        try Directory.create(directory + "/" + Self.topicsDirectory)
        let cursors = try CursorStore(directory: directory + "/" + Self.cursorsDirectory, io: io)
        let signal = DataSignal()
        var topics: [String: Topic] = [:]
        for name in try Directory.entries(directory + "/" + Self.topicsDirectory) where name.hasSuffix(".json") {
            let path = directory + "/" + Self.topicsDirectory + "/" + name
            // Listed a moment ago, so absent only if removed meanwhile: read as empty.
            let bytes = try AtomicFile.read(path, maxBytes: Self.maxTopicFileBytes, io: io) ?? []
            guard let description = TopicFile.decode(bytes) else {
                throw BasaltError.corruptLog(file: path, position: 0, reason: "not a topic description of version 1")
            }
            topics[description.name] = try Self.openTopic(
                directory: directory, name: description.name, partitions: description.partitions,
                config: description.config, flusher: flusher, io: io, clock: clock, signal: signal)
        }
        // Partition directories of topics whose deletion was interrupted, and those a
        // growth created before it crashed (numbered past the count its topic file names).
        for name in try Directory.entries(directory) {
            if name.hasSuffix(".deleted") {
                try Directory.removeTree(directory + "/" + name)
            } else if let dash = name.lastIndex(of: "-"), let topic = topics[String(name[..<dash])],
                      let number = Int32(name[name.index(after: dash)...]), number >= topic.partitionCount,
                      TopicPartition(topic: topic.name, partition: number).description == name {
                try Directory.removeTree(directory + "/" + name)
            }
        }
        self.directory = directory
        self.defaultConfig = defaultConfig
        self.cursors = cursors
        self.signal = signal
        self.io = io
        self.flusher = flusher
        self.clock = clock
        self.lock = lock
        self.topics = Mutex(TopicTable(topics: topics))
        self.onMaintenanceFailure = onMaintenanceFailure
        self.cleaner = LogCleaner(keyMapBytes: cleanerKeyMapBytes)
        self.onCleaned = onCleaned
        if let cleanerInterval {
            let task = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: cleanerInterval)
                    guard let self, !Task.isCancelled else { return }
                    _ = self.cleanAll(force: false)
                }
            }
            cleanerTask.withLock { $0 = task }
        }
        if let retentionCheckInterval {
            let task = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: retentionCheckInterval)
                    guard let self, !Task.isCancelled else { return }
                    // Each failure was handed to `onMaintenanceFailure` already.
                    _ = self.runRetention()
                }
            }
            retention.withLock { $0 = task }
        }
    }

    /// Opens the logs of a topic's partitions, creating their directories when absent.
    /// On failure the logs opened so far are closed again.
    static func openTopic(
        directory: String, name: String, partitions: Int32, config: LogConfig, flusher: Flusher, io: any FileIO,
        clock: @escaping @Sendable () -> Int64, signal: DataSignal
    ) throws -> Topic {
        var logs: [PartitionLog] = []
        do {
            for partition in 0..<partitions {
                let path = directory + "/" + TopicPartition(topic: name, partition: partition).description
                logs.append(try PartitionLog(directory: path, config: config, flusher: flusher, io: io, clock: clock, signal: signal))
            }
        } catch {
            for log in logs { try? log.close() }
            throw error
        }
        return Topic(name: name, config: config, partitions: logs)
    }

    /// Creates a topic with `partitions` partitions and the given settings (the store's
    /// defaults when nil).
    ///
    /// The topics lock is held only to reserve the name and to publish the topic: the
    /// partition directories and the topic file are written and synced outside it, so
    /// lookups of other topics go on meanwhile. Until the creation returns, the topic is
    /// not visible (``topic(_:)`` throws ``BasaltError/unknownTopic(_:)``); a create or
    /// delete of the same name made meanwhile blocks until this one is finished, then acts
    /// as if called after it. On failure the partition directories and the topic file
    /// written so far are removed (best effort; leftovers belong to no topic and are
    /// reused or replaced by the next create of the name).
    ///
    /// Cost: a directory, three segment files and an `fsync` per partition, and one
    /// ``AtomicFile/replace(_:with:io:)``.
    ///
    /// - Throws: ``BasaltError/invalidName(name:reason:)``, ``BasaltError/topicExists(_:)``,
    ///   ``BasaltError/invalidConfiguration(_:)``, ``BasaltError/closed`` once ``close()``
    ///   began, and the errors of opening a ``PartitionLog`` and of writing the topic file.
    @discardableResult
    public func createTopic(_ name: String, partitions: Int32 = 1, config: LogConfig? = nil) throws -> Topic {
        try NameRules.validateTopic(name)
        guard partitions > 0, partitions <= Self.maxPartitions else {
            throw BasaltError.invalidConfiguration("partition count must be in 1...\(Self.maxPartitions), got \(partitions)")
        }
        let config = config ?? defaultConfig
        try config.validate()
        let reservation = TopicReservation()
        try whenSettled(name) { table in
            guard table.topics[name] == nil else { throw BasaltError.topicExists(name) }
            table.reserved[name] = reservation
        }
        defer { reservation.finish() }
        let topic: Topic
        do {
            topic = try writeTopic(name, partitions: partitions, config: config)
        } catch {
            removeLeftovers(ofTopic: name, partitions: partitions)
            topics.withLock { _ = $0.reserved.removeValue(forKey: name) }
            throw error
        }
        topics.withLock { table in
            table.reserved[name] = nil
            table.topics[name] = topic
        }
        return topic
    }

    /// Opens the partitions of a new topic and writes its description file, the commit
    /// point: without it the topic does not exist. On failure every log it opened is
    /// closed again.
    private func writeTopic(_ name: String, partitions: Int32, config: LogConfig) throws -> Topic {
        let topic = try Self.openTopic(directory: directory, name: name, partitions: partitions, config: config,
                                       flusher: flusher, io: io, clock: clock, signal: signal)
        do {
            try writeTopicFile(name, partitions: partitions, config: config)
        } catch {
            for log in topic.partitions { try? log.close() }
            throw error
        }
        return topic
    }

    /// Replaces the description file of topic `name` atomically: afterwards it holds either
    /// the old description or this one, never a mix.
    func writeTopicFile(_ name: String, partitions: Int32, config: LogConfig) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: [UInt8]
        do {
            bytes = Array(try encoder.encode(TopicFile(version: 1, name: name, partitions: partitions, config: config)))
        } catch {
            throw BasaltError.invalidConfiguration("cannot encode the topic description: \(error)")
        }
        try AtomicFile.replace(topicFilePath(name), with: bytes, io: io)
    }

    /// Removes what a failed creation of `name` may have left: the topic file (its
    /// rename may have happened before the directory sync failed), its temporary file,
    /// and the partition directories. Best effort: the creation's own error is the one
    /// reported, and whatever stays belongs to no topic.
    private func removeLeftovers(ofTopic name: String, partitions: Int32) {
        try? Segment.removeIfPresent(topicFilePath(name), io: io)
        try? Segment.removeIfPresent(topicFilePath(name) + ".tmp", io: io)
        try? Directory.sync(directory + "/" + Self.topicsDirectory, io: io)
        for partition in 0..<partitions {
            let path = directory + "/" + TopicPartition(topic: name, partition: partition).description
            if Directory.exists(path) { try? Directory.removeTree(path) }
        }
        try? Directory.sync(directory, io: io)
    }

    func topicFilePath(_ name: String) -> String {
        directory + "/" + Self.topicsDirectory + "/" + name + ".json"
    }

    /// Runs `body` under the topics lock once no create or delete holds `name`, waiting
    /// (blocking the thread) for the one that does.
    ///
    /// - Throws: ``BasaltError/closed`` once ``close()`` began; whatever `body` throws.
    func whenSettled<Result: Sendable>(
        _ name: String, _ body: (inout TopicTable) throws -> Result
    ) throws -> Result {
        while true {
            let held: TopicReservation?
            var result: Result?
            held = try topics.withLock { table -> TopicReservation? in
                guard !closed.load(ordering: .acquiring) else { throw BasaltError.closed }
                if let held = table.reserved[name] { return held }
                result = try body(&table)
                return nil
            }
            if let held {
                held.waitUntilFinished()
            } else if let result {
                return result
            }
        }
    }

    /// The topic named `name`. Throws ``BasaltError/unknownTopic(_:)``.
    public func topic(_ name: String) throws -> Topic {
        guard let topic = topics.withLock({ $0.topics[name] }) else { throw BasaltError.unknownTopic(name) }
        return topic
    }

    /// The names of all topics, sorted.
    public var topicNames: [String] { topics.withLock { $0.topics.keys.sorted() } }

    /// Deletes a topic, its data and the groups' commits for it.
    ///
    /// The topic disappears from lookups at once; its files are removed outside the
    /// topics lock, with the name held so that a create of the same name waits until they
    /// are gone. A create or delete of the same name in progress is waited for first: a
    /// delete that overlaps a create acts after it, and deletes the topic it created.
    ///
    /// - Throws: ``BasaltError/unknownTopic(_:)``, ``BasaltError/closed`` once ``close()``
    ///   began, ``BasaltError/io(operation:path:errno:)``.
    public func deleteTopic(_ name: String) throws {
        let reservation = TopicReservation()
        let topic: Topic = try whenSettled(name) { table in
            guard let topic = table.topics.removeValue(forKey: name) else { throw BasaltError.unknownTopic(name) }
            table.reserved[name] = reservation
            return topic
        }
        defer {
            topics.withLock { _ = $0.reserved.removeValue(forKey: name) }
            reservation.finish()
        }
        for log in topic.partitions { try? log.close() }
        try Segment.removeIfPresent(topicFilePath(name), io: io)
        try Directory.sync(directory + "/" + Self.topicsDirectory, io: io)
        for partition in 0..<topic.partitionCount {
            let path = directory + "/" + TopicPartition(topic: name, partition: partition).description
            let doomed = path + ".deleted"
            do throws(Errno) {
                try io.rename(path, to: doomed)
            } catch {
                throw BasaltError.io(operation: "rename", path: path, errno: error.code)
            }
            try Directory.removeTree(doomed)
        }
        try Directory.sync(directory, io: io)
        try cursors.forgetTopic(name)
    }

    /// Creates a consumer for `group` over `topic` (all partitions when `partitions` is
    /// nil). It starts at the group's committed offsets, or where `reset` says for
    /// partitions without one.
    public func consumer(
        group: String, topic: String, partitions: [Int32]? = nil, reset: Consumer.StartPosition = .earliest
    ) throws -> Consumer {
        try NameRules.validateGroup(group)
        return try Consumer(store: self, group: group, topic: self.topic(topic), partitions: partitions, reset: reset)
    }

    /// Runs retention on every partition now. A partition that fails does not stop the
    /// others: each failure goes to the `onMaintenanceFailure` observer given at open.
    ///
    /// - Throws: the first partition's error, after every partition was tried.
    public func enforceRetention() throws {
        if let first = runRetention().first { throw first.error }
    }

    /// Runs retention on every open partition, reports each failure to the observer and
    /// returns them.
    private func runRetention() -> [MaintenanceFailure] {
        var failures: [MaintenanceFailure] = []
        for topic in topics.withLock({ $0.topics.values.sorted { $0.name < $1.name } }) {
            for (number, log) in topic.partitions.enumerated() where !log.isClosed {
                do {
                    try log.enforceRetention()
                } catch BasaltError.closed {
                    // Closed meanwhile (the topic was deleted, the store is closing): not a failure.
                    continue
                } catch {
                    let failure = MaintenanceFailure(
                        partition: TopicPartition(topic: topic.name, partition: Int32(number)), task: .retention, error: error)
                    onMaintenanceFailure?(failure)
                    failures.append(failure)
                }
            }
        }
        return failures
    }

    /// Runs the log cleaner on every partition of every compacted topic now (see
    /// ``LogCleaner``). A partition that fails does not stop the others: each failure
    /// goes to the `onMaintenanceFailure` observer.
    ///
    /// - Parameter force: clean every compacted partition whatever its dirty ratio.
    /// - Returns: what each cleaned partition's clean did.
    /// - Throws: the first partition's error, after every partition was tried.
    @discardableResult
    public func runCleaner(force: Bool = false) throws -> [(partition: TopicPartition, stats: CleanerStats)] {
        let (cleaned, failures) = cleanAll(force: force)
        if let first = failures.first { throw first.error }
        return cleaned
    }

    private func cleanAll(force: Bool) -> ([(partition: TopicPartition, stats: CleanerStats)], [MaintenanceFailure]) {
        var cleaned: [(partition: TopicPartition, stats: CleanerStats)] = []
        var failures: [MaintenanceFailure] = []
        for topic in topics.withLock({ $0.topics.values.sorted { $0.name < $1.name } }) where topic.config.cleanupPolicy.compacts {
            for (number, log) in topic.partitions.enumerated() where !log.isClosed {
                guard !closed.load(ordering: .acquiring) else { return (cleaned, failures) }
                let partition = TopicPartition(topic: topic.name, partition: Int32(number))
                do {
                    if let stats = try cleaner.clean(log, force: force) {
                        onCleaned?(partition, stats)
                        cleaned.append((partition, stats))
                    }
                } catch BasaltError.closed {
                    continue
                } catch {
                    let failure = MaintenanceFailure(partition: partition, task: .compaction, error: error)
                    onMaintenanceFailure?(failure)
                    failures.append(failure)
                }
            }
        }
        return (cleaned, failures)
    }

    /// Closes every partition cleanly, then releases the store's lock.
    ///
    /// Creates and deletes begun before are waited for (blocking the thread) so that none
    /// writes in the directory after its lock is released; a topic they created is closed
    /// with the others. Creates and deletes begun after throw ``BasaltError/closed``.
    public func close() throws {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        retention.withLock { $0?.cancel() }
        cleanerTask.withLock { $0?.cancel() }
        // A clean in progress finishes (or stops at its next check of the log) first, so
        // no cleaned file is written after the lock is released.
        cleaner.waitUntilIdle()
        // A create or delete reserves its name under the topics lock after checking
        // `closed` there, so every one that can still write is listed here.
        for reservation in topics.withLock({ Array($0.reserved.values) }) { reservation.waitUntilFinished() }
        var firstError: (any Error)?
        for topic in topics.withLock({ Array($0.topics.values) }) {
            for log in topic.partitions {
                do { try log.close() } catch { firstError = firstError ?? error }
            }
        }
        lock.release()
        if let firstError { throw firstError }
    }

    deinit {
        retention.withLock { $0?.cancel() }
        cleanerTask.withLock { $0?.cancel() }
    }
}
