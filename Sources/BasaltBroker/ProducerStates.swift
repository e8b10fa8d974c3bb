import Basalt
import Logging
import Synchronization

/// The ``ProducerStateTable`` of every partition the broker serves, loaded from the log
/// (and its newest snapshot) the first time a partition is used, or at startup.
final class ProducerStates: Sendable {
    private struct Entry {
        let log: PartitionLog
        let table: ProducerStateTable
    }

    private let tables = Mutex<[TopicPartition: Entry]>([:])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The table of `partition`, whose log is `log`. A topic deleted and created again
    /// has new logs, so an entry for an old log is replaced.
    func table(for partition: TopicPartition, log: PartitionLog) throws -> ProducerStateTable {
        if let entry = tables.withLock({ $0[partition] }), entry.log === log { return entry.table }
        // Loading reads batch headers; done outside the lock so other partitions proceed.
        let loaded = try ProducerStateTable.load(for: log) { error in
            logger.warning("producer state snapshot skipped, rebuilding the state from the log",
                           metadata: ["partition": "\(partition)", "error": "\(error)"])
        }
        return tables.withLock { tables in
            if let entry = tables[partition], entry.log === log { return entry.table }
            tables[partition] = Entry(log: log, table: loaded)
            return loaded
        }
    }

    /// Drops the tables of a deleted topic.
    func forget(topic: String) {
        tables.withLock { tables in
            for key in tables.keys where key.topic == topic { tables[key] = nil }
        }
    }

    /// Drops the table of one partition whose log was truncated, so the next use rebuilds
    /// it from what the log now holds.
    func forget(partition: TopicPartition) {
        _ = tables.withLock { $0.removeValue(forKey: partition) }
    }

    /// The largest producer id below `limit` in any partition's table, or nil.
    func highestProducerId(below limit: Int64) -> Int64? {
        tables.withLock { $0.values.compactMap { $0.table.highestProducerId(below: limit) }.max() }
    }

    /// Producers known over all partitions.
    var producerCount: Int { tables.withLock { $0.values.reduce(0) { $0 + $1.table.count } } }

    /// Writes a snapshot for every partition with producers, so recovery after a crash
    /// reads only the headers appended since. Failures are logged, not fatal: a missing
    /// snapshot only makes the next open read more.
    func writeSnapshots() {
        for (partition, entry) in tables.withLock({ Array($0) }) where entry.table.count > 0 && !entry.log.isClosed {
            do {
                try entry.table.writeSnapshot(for: entry.log)
            } catch {
                logger.warning("producer state snapshot failed: \(error)", metadata: ["partition": "\(partition)"])
            }
        }
    }
}
