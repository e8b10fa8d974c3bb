import Basalt
import BasaltKafka
import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The broker's metrics, recorded through swift-metrics into a Prometheus registry of
/// its own (so several brokers in one process, as in tests, do not share counters).
///
/// Request counters and latency histograms are updated on the request path; partition
/// offsets, sizes and consumer-group lag are gauges computed when `/metrics` is scraped,
/// so they cost nothing between scrapes.
public final class BrokerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[ApiKey: CoreMetrics.Timer]>([:])
    private let gauges = Mutex<[String: CoreMetrics.Gauge]>([:])
    private let connections: CoreMetrics.Gauge
    private let connectionsAccepted: CoreMetrics.Counter
    private let connectionsRejected: CoreMetrics.Counter
    private let rejectedRequests: CoreMetrics.Counter

    /// A fresh registry.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        self.registry = registry
        self.factory = factory
        connections = CoreMetrics.Gauge(label: "basalt_connections", dimensions: [], factory: factory)
        connectionsAccepted = CoreMetrics.Counter(label: "basalt_connections_accepted_total", dimensions: [], factory: factory)
        connectionsRejected = CoreMetrics.Counter(label: "basalt_connections_rejected_total", dimensions: [], factory: factory)
        rejectedRequests = CoreMetrics.Counter(label: "basalt_rejected_requests_total", dimensions: [], factory: factory)
    }

    func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Gauge {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return gauges.withLock { gauges in
            if let gauge = gauges[key] { return gauge }
            let gauge = CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
            gauges[key] = gauge
            return gauge
        }
    }

    func recordRequest(api: ApiKey, duration: Duration) {
        let timer = timers.withLock { timers in
            if let timer = timers[api] { return timer }
            let timer = CoreMetrics.Timer(label: "basalt_request_duration_seconds", dimensions: [("api", "\(api)")], factory: factory)
            timers[api] = timer
            return timer
        }
        timer.recordNanoseconds(duration.nanoseconds)
    }

    func recordRejectedRequest() { rejectedRequests.increment() }

    func recordProduce(topic: String, bytes: Int, records: Int) {
        counter("basalt_produce_batches_total", [("topic", topic)]).increment()
        counter("basalt_produce_bytes_total", [("topic", topic)]).increment(by: bytes)
        counter("basalt_produce_records_total", [("topic", topic)]).increment(by: records)
    }

    func recordProduceError(topic: String, code: KafkaErrorCode) {
        counter("basalt_produce_errors_total", [("topic", topic), ("error", "\(code.rawValue)")]).increment()
    }

    func recordDuplicateBatch(topic: String) {
        counter("basalt_produce_duplicate_batches_total", [("topic", topic)]).increment()
    }

    /// Counts a background task that failed on a partition
    /// (`basalt_retention_errors_total{topic,partition}`).
    func recordMaintenanceFailure(_ failure: MaintenanceFailure) {
        let labels = [("topic", failure.partition.topic), ("partition", String(failure.partition.partition))]
        switch failure.task {
        case .retention: counter("basalt_retention_errors_total", labels).increment()
        case .compaction: counter("basalt_cleaner_errors_total", labels).increment()
        }
    }

    /// Counts a partition the log cleaner compacted (`basalt_cleaner_runs_total`,
    /// `basalt_cleaner_bytes_read_total`, `basalt_cleaner_bytes_written_total`,
    /// `basalt_cleaner_records_removed_total`, each `{topic}`).
    func recordClean(topic: String, stats: CleanerStats) {
        let labels = [("topic", topic)]
        counter("basalt_cleaner_runs_total", labels).increment()
        counter("basalt_cleaner_bytes_read_total", labels).increment(by: Int(stats.bytesRead))
        counter("basalt_cleaner_bytes_written_total", labels).increment(by: Int(stats.bytesWritten))
        counter("basalt_cleaner_records_removed_total", labels).increment(by: Int(stats.recordsRemoved))
    }

    func recordFetch(topic: String, bytes: Int) {
        counter("basalt_fetch_responses_total", [("topic", topic)]).increment()
        counter("basalt_fetch_bytes_total", [("topic", topic)]).increment(by: bytes)
    }

    func connectionOpened(open: Int) {
        connectionsAccepted.increment()
        connections.record(open)
    }

    func connectionClosed(open: Int) { connections.record(open) }

    func connectionRejected() { connectionsRejected.increment() }

    /// Updates the gauges computed from the store, then renders every metric in the
    /// Prometheus text format.
    func render(store: Store, groups: [(groupId: String, state: String, members: Int, generation: Int32)]) -> String {
        var endOffsets: [TopicPartition: Int64] = [:]
        for name in store.topicNames {
            guard let topic = try? store.topic(name) else { continue }
            for (number, log) in topic.partitions.enumerated() where !log.isClosed {
                let labels = [("topic", name), ("partition", String(number))]
                let end = log.logEndOffset
                endOffsets[TopicPartition(topic: name, partition: Int32(number))] = end
                gauge("basalt_partition_log_end_offset", labels).record(end)
                gauge("basalt_partition_log_start_offset", labels).record(log.logStartOffset)
                gauge("basalt_partition_size_bytes", labels).record(log.sizeInBytes)
            }
        }
        for group in store.cursors.groupNames {
            for (partition, committed) in store.cursors.committedOffsets(group: group) {
                guard let end = endOffsets[partition] else { continue }
                gauge("basalt_consumer_group_lag", [("group", group), ("topic", partition.topic), ("partition", String(partition.partition))])
                    .record(max(end - committed.offset, 0))
            }
        }
        for group in groups {
            gauge("basalt_consumer_group_members", [("group", group.groupId)]).record(group.members)
            gauge("basalt_consumer_group_generation", [("group", group.groupId)]).record(Int64(group.generation))
        }
        return registry.emitToString()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
