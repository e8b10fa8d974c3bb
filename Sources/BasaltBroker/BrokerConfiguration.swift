import Basalt
import Logging

/// Everything a ``BrokerServer`` needs to know, with Kafka's defaults where Kafka has one.
///
/// Units are in the names. Values come from the command line, a properties file
/// (``BrokerPropertiesFile``), or code that embeds the broker (tests).
public struct BrokerConfiguration: Sendable {
    /// Directory of the store: topics, partitions, cursors, broker state.
    public var dataDirectory: String = "./data"
    /// Address the broker listens on.
    public var listenHost: String = "127.0.0.1"
    /// Port the broker listens on; 0 picks a free one (tests).
    public var listenPort: Int = 9092
    /// Host clients are told to connect to (Metadata, FindCoordinator); the listen host
    /// when nil, or 127.0.0.1 when that is a wildcard address.
    public var advertisedHost: String?
    /// Port clients are told to connect to; the bound port when nil.
    public var advertisedPort: Int?
    /// Kafka's `listeners`: each is bound with its own security protocol. When empty, one
    /// PLAINTEXT listener at ``listenHost``:``listenPort`` (advertised as ``advertisedHost``
    /// and ``advertisedPort``), as `--listen` configures.
    public var listeners: [ListenerConfiguration] = []
    /// The listener peer brokers connect to (`inter.broker.listener.name`); the first
    /// listener when nil. Its advertised address is the one registered in the cluster.
    public var interBrokerListenerName: String?
    /// Certificates and client authentication of the TLS listeners (SSL, SASL_SSL).
    public var tls: TLSSettings?
    /// SASL on the SASL listeners and towards peer brokers.
    public var sasl = SaslSettings()
    /// Address of the Prometheus `/metrics` endpoint; none when nil.
    public var metricsHost: String?
    /// Port of the metrics endpoint; 0 picks a free one.
    public var metricsPort: Int = 9100
    /// This broker's node id in Metadata, FindCoordinator and as controller.
    public var nodeId: Int32 = 0
    /// Largest request frame accepted; a larger size prefix closes the connection before
    /// anything is allocated for it (Kafka's `socket.request.max.bytes`).
    public var maxRequestBytes: Int = 100 << 20
    /// Most open client connections; more are closed at once with one log line.
    public var maxConnections: Int = 1024
    /// Request bytes a connection may have read but not yet answered; past it the broker
    /// stops reading from that socket until responses go out. Default 1 MiB.
    ///
    /// Requests of a connection are handled one at a time, so reading further ahead than
    /// the next request gains no throughput: unread requests wait in the kernel's socket
    /// buffer instead. A large read-ahead costs memory that stays: a producer faster
    /// than the log kept up to 128 MiB (the old default) queued per connection, and
    /// glibc's allocator keeps freed pages, so the broker's RSS rose towards that peak
    /// the longer it ran (292 MiB after 1.6 M records).
    public var maxInFlightBytesPerConnection: Int = 1 << 20
    /// Whether Produce and Metadata create unknown topics (`auto.create.topics.enable`).
    public var autoCreateTopics: Bool = true
    /// Partition count of auto-created topics and CreateTopics with −1 (`num.partitions`).
    public var defaultPartitions: Int32 = 1
    /// Settings of topics created without their own.
    public var defaultTopicConfig: LogConfig = BrokerConfiguration.brokerDefaultTopicConfig
    /// Delay before the first rebalance of an empty group, so members starting together
    /// land in one generation (`group.initial.rebalance.delay.ms`; Kafka's is 3000).
    public var groupInitialRebalanceDelayMs: Int = 100
    /// Smallest session timeout a member may ask for (`group.min.session.timeout.ms`).
    public var groupMinSessionTimeoutMs: Int32 = 6000
    /// Largest session timeout a member may ask for (`group.max.session.timeout.ms`).
    public var groupMaxSessionTimeoutMs: Int32 = 1_800_000
    /// Longest a Fetch may be parked, whatever `max_wait_ms` asks.
    public var maxFetchWaitMs: Int = 30_000
    /// How often producer-state snapshots are written, so recovery after a crash reads
    /// only the batch headers appended since.
    public var producerSnapshotIntervalMs: Int = 60_000
    /// How long shutdown waits for in-flight requests before closing connections.
    public var shutdownGraceMs: Int = 10_000
    /// How often retention runs.
    public var retentionCheckIntervalMs: Int = 300_000
    /// How often the log cleaner looks for compacted partitions to clean (`log.cleaner.backoff.ms`).
    public var logCleanerBackoffMs: Int = 15_000
    /// Memory of the log cleaner's key map (`log.cleaner.dedupe.buffer.size`).
    public var logCleanerDedupeBufferBytes: Int = 16 << 20
    /// The cluster this broker belongs to; `nil` runs a single node with no etcd.
    public var cluster: ClusterConfiguration?
    /// ACL authorisation (off by default: everything allowed).
    public var authorization = AuthorizationSettings()
    /// The logger every component derives its own from.
    public var logger: Logger = Logger(label: "basalt.broker")

    /// The topic defaults of a broker: Kafka's, with appends synced at most a second
    /// after they land (acks=all produce requests sync at once). An acknowledged record
    /// survives `kill -9` under every policy.
    public static var brokerDefaultTopicConfig: LogConfig {
        var config = LogConfig()
        config.durability = .interval(milliseconds: 1000)
        return config
    }

    /// The defaults above.
    public init() {}

    /// The listeners the broker binds: ``listeners``, or the single PLAINTEXT listener of
    /// ``listenHost`` and ``listenPort``.
    public var effectiveListeners: [ListenerConfiguration] {
        if !listeners.isEmpty { return listeners }
        return [ListenerConfiguration(name: SecurityProtocol.plaintext.rawValue, securityProtocol: .plaintext,
                                      host: listenHost, port: listenPort,
                                      advertisedHost: advertisedHost, advertisedPort: advertisedPort)]
    }

    /// The listener peer brokers use.
    public var interBrokerListener: ListenerConfiguration {
        let all = effectiveListeners
        return all.first { $0.name == interBrokerListenerName } ?? all[0]
    }

    /// Checks ranges, naming the option at fault.
    public func validate() throws(BrokerConfigurationError) {
        guard (0...65535).contains(listenPort) else { throw .invalid("listen port \(listenPort) is not in 0...65535") }
        guard maxRequestBytes >= 1024 else { throw .invalid("socket.request.max.bytes must be at least 1024") }
        guard maxConnections > 0 else { throw .invalid("max.connections must be positive") }
        guard maxInFlightBytesPerConnection > 0 else { throw .invalid("max.inflight.bytes.per.connection must be positive") }
        guard defaultPartitions > 0, defaultPartitions <= 10_000 else { throw .invalid("num.partitions must be in 1...10000") }
        guard groupInitialRebalanceDelayMs >= 0 else { throw .invalid("group.initial.rebalance.delay.ms must be ≥ 0") }
        guard groupMinSessionTimeoutMs > 0, groupMinSessionTimeoutMs <= groupMaxSessionTimeoutMs else {
            throw .invalid("group.min.session.timeout.ms must be positive and ≤ group.max.session.timeout.ms")
        }
        guard nodeId >= 0 else { throw .invalid("node.id must be ≥ 0") }
        guard logCleanerBackoffMs > 0 else { throw .invalid("log.cleaner.backoff.ms must be positive") }
        guard logCleanerDedupeBufferBytes >= 1 << 10, logCleanerDedupeBufferBytes <= 1 << 34 else {
            throw .invalid("log.cleaner.dedupe.buffer.size must be in 1 KiB...16 GiB")
        }
        for listener in effectiveListeners {
            guard (0...65535).contains(listener.port) else { throw .invalid("listener \(listener.name): port \(listener.port) is not in 0...65535") }
            if listener.securityProtocol.usesTLS, tls == nil {
                throw .invalid("listener \(listener.name) uses \(listener.securityProtocol.rawValue): set ssl.keystore.location")
            }
        }
        if let name = interBrokerListenerName, !effectiveListeners.contains(where: { $0.name == name }) {
            throw .invalid("inter.broker.listener.name \(name) is not in listeners")
        }
        if interBrokerListener.securityProtocol.usesSASL, cluster != nil,
           sasl.interBrokerUsername == nil || sasl.interBrokerPasswordFile == nil {
            throw .invalid("the inter-broker listener uses SASL: set basalt.inter.broker.sasl.username and "
                           + "basalt.inter.broker.sasl.password.file")
        }
        guard !sasl.enabledMechanisms.isEmpty else { throw .invalid("sasl.enabled.mechanisms is empty") }
        guard sasl.failedAuthenticationDelayMs >= 0 else { throw .invalid("connection.failed.authentication.delay.ms must be ≥ 0") }
        try cluster?.validate()
        do {
            try defaultTopicConfig.validate()
        } catch {
            throw .invalid("default topic settings: \(error)")
        }
    }
}

/// A configuration value that cannot be used.
public enum BrokerConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value is out of range or malformed; the message names it.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}
