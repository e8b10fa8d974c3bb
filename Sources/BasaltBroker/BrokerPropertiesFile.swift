import Basalt
import Foundation

/// Reads a broker configuration file in Kafka's `server.properties` format: one
/// `name=value` per line, `#` or `!` comments, Kafka's names where Kafka has the setting.
///
/// | name | sets |
/// |---|---|
/// | `log.dirs` / `log.dir` | ``BrokerConfiguration/dataDirectory`` (first directory) |
/// | `listeners` | listen host and port (`PLAINTEXT://host:port`, first listener) |
/// | `advertised.listeners` | advertised host and port |
/// | `basalt.metrics.listener` | metrics endpoint `host:port` |
/// | `node.id` / `broker.id` | ``BrokerConfiguration/nodeId`` |
/// | `socket.request.max.bytes` | ``BrokerConfiguration/maxRequestBytes`` |
/// | `max.connections` | ``BrokerConfiguration/maxConnections`` |
/// | `basalt.max.inflight.bytes.per.connection` | ``BrokerConfiguration/maxInFlightBytesPerConnection`` |
/// | `auto.create.topics.enable` | ``BrokerConfiguration/autoCreateTopics`` |
/// | `num.partitions` | ``BrokerConfiguration/defaultPartitions`` |
/// | `group.initial.rebalance.delay.ms`, `group.min.session.timeout.ms`, `group.max.session.timeout.ms` | group settings |
/// | `log.retention.check.interval.ms` | ``BrokerConfiguration/retentionCheckIntervalMs`` |
/// | `log.cleaner.backoff.ms` | ``BrokerConfiguration/logCleanerBackoffMs`` |
/// | `log.cleaner.dedupe.buffer.size` | ``BrokerConfiguration/logCleanerDedupeBufferBytes`` |
/// | `log.cleanup.policy` | default `cleanup.policy` of new topics |
/// | `basalt.producer.snapshot.interval.ms`, `basalt.shutdown.grace.ms` | see ``BrokerConfiguration`` |
/// | `basalt.etcd.endpoints`, `basalt.cluster.name` | cluster mode (``BrokerConfiguration/cluster``), like `--etcd` and `--cluster` |
/// | `default.replication.factor`, `min.insync.replicas`, `replica.lag.time.max.ms`, `unclean.leader.election.enable`, `broker.session.timeout.ms`, `replica.fetch.wait.max.ms`, `replica.fetch.max.bytes`, `basalt.controlled.shutdown.linger.ms` | ``ClusterConfiguration`` |
/// | `authorizer.class.name` (Kafka's StandardAuthorizer or AclAuthorizer class, or empty), `basalt.authorizer.enabled` | ``AuthorizationSettings/enabled`` |
/// | `super.users` (`User:a;User:b`), `allow.everyone.if.no.acl.found` | ``AuthorizationSettings`` |
/// | `log.retention.ms`, `log.retention.hours`, `log.retention.bytes`, `log.segment.bytes`, `log.roll.ms`, `log.roll.hours`, `message.max.bytes`, `log.flush.interval.messages`, `log.flush.interval.ms`, `basalt.durability` | default topic settings |
public enum BrokerPropertiesFile {
    /// Applies the file at `path` to `configuration`.
    ///
    /// - Throws: ``BrokerConfigurationError`` naming the line of an unknown setting or a bad value.
    public static func apply(path: String, to configuration: inout BrokerConfiguration) throws(BrokerConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .invalid("cannot read configuration file \(path)")
        }
        try apply(text: text, to: &configuration)
    }

    /// Applies properties text to `configuration`.
    public static func apply(text: String, to configuration: inout BrokerConfiguration) throws(BrokerConfigurationError) {
        var topicSettings: [(name: String, value: String?)] = []
        // Cluster settings may come before the endpoints that switch cluster mode on.
        var clusterSettings: [(line: Int, name: String, value: String)] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let equals = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw .invalid("line \(number + 1): expected name=value")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            func integer() throws(BrokerConfigurationError) -> Int {
                guard let number = Int(value) else { throw .invalid("line \(number + 1): \(name) needs an integer, got \(value)") }
                return number
            }
            func hours() throws(BrokerConfigurationError) -> String {
                let (milliseconds, overflow) = try integer().multipliedReportingOverflow(by: 3_600_000)
                guard !overflow else { throw .invalid("line \(number + 1): \(name) \(value) is too large") }
                return String(milliseconds)
            }
            func address() throws(BrokerConfigurationError) -> HostPort {
                let first = value.split(separator: ",").first.map(String.init) ?? value
                guard let parsed = HostPort(parsing: first) else { throw .invalid("line \(number + 1): \(name) needs host:port, got \(value)") }
                return parsed
            }
            switch name {
            case "log.dirs", "log.dir":
                configuration.dataDirectory = value.split(separator: ",").first.map(String.init) ?? value
            case "listeners":
                let parsed = try address()
                configuration.listenHost = parsed.host
                configuration.listenPort = parsed.port
            case "advertised.listeners":
                let parsed = try address()
                configuration.advertisedHost = parsed.host
                configuration.advertisedPort = parsed.port
            case "basalt.metrics.listener":
                let parsed = try address()
                configuration.metricsHost = parsed.host
                configuration.metricsPort = parsed.port
            case "node.id", "broker.id": configuration.nodeId = Int32(clamping: try integer())
            case "socket.request.max.bytes": configuration.maxRequestBytes = try integer()
            case "max.connections": configuration.maxConnections = try integer()
            case "basalt.max.inflight.bytes.per.connection": configuration.maxInFlightBytesPerConnection = try integer()
            case "auto.create.topics.enable":
                guard let flag = Bool(value) else { throw .invalid("line \(number + 1): \(name) needs true or false") }
                configuration.autoCreateTopics = flag
            case "authorizer.class.name":
                if value.isEmpty {
                    configuration.authorization.enabled = false
                } else if AuthorizationSettings.kafkaAuthorizerClassNames.contains(value) {
                    configuration.authorization.enabled = true
                } else {
                    throw .invalid("line \(number + 1): authorizer.class.name \(value) is not one Basalt implements (use org.apache.kafka.metadata.authorizer.StandardAuthorizer)")
                }
            case "basalt.authorizer.enabled":
                guard let flag = Bool(value) else { throw .invalid("line \(number + 1): \(name) needs true or false") }
                configuration.authorization.enabled = flag
            case "super.users":
                configuration.authorization.superUsers = try AuthorizationSettings.parseSuperUsers(value)
            case "allow.everyone.if.no.acl.found":
                guard let flag = Bool(value) else { throw .invalid("line \(number + 1): \(name) needs true or false") }
                configuration.authorization.allowEveryoneIfNoAclFound = flag
            case "num.partitions": configuration.defaultPartitions = Int32(clamping: try integer())
            case "group.initial.rebalance.delay.ms": configuration.groupInitialRebalanceDelayMs = try integer()
            case "group.min.session.timeout.ms": configuration.groupMinSessionTimeoutMs = Int32(clamping: try integer())
            case "group.max.session.timeout.ms": configuration.groupMaxSessionTimeoutMs = Int32(clamping: try integer())
            case "log.retention.check.interval.ms": configuration.retentionCheckIntervalMs = try integer()
            case "log.cleaner.backoff.ms": configuration.logCleanerBackoffMs = try integer()
            case "log.cleaner.dedupe.buffer.size": configuration.logCleanerDedupeBufferBytes = try integer()
            case "log.cleanup.policy": topicSettings.append(("cleanup.policy", value))
            case "basalt.producer.snapshot.interval.ms": configuration.producerSnapshotIntervalMs = try integer()
            case "basalt.shutdown.grace.ms": configuration.shutdownGraceMs = try integer()
            case "log.retention.ms": topicSettings.append(("retention.ms", value))
            case "log.retention.hours": topicSettings.append(("retention.ms", try hours()))
            case "log.retention.bytes": topicSettings.append(("retention.bytes", value))
            case "log.segment.bytes": topicSettings.append(("segment.bytes", value))
            case "log.roll.ms": topicSettings.append(("segment.ms", value))
            case "log.roll.hours": topicSettings.append(("segment.ms", try hours()))
            case "message.max.bytes": topicSettings.append(("max.message.bytes", value))
            case "log.flush.interval.messages": topicSettings.append(("flush.messages", value))
            case "log.flush.interval.ms": topicSettings.append(("flush.ms", value))
            case "basalt.durability": topicSettings.append(("basalt.durability", value))
            case "basalt.etcd.endpoints", "basalt.cluster.name", "default.replication.factor", "min.insync.replicas",
                 "replica.lag.time.max.ms", "unclean.leader.election.enable", "broker.session.timeout.ms",
                 "replica.fetch.wait.max.ms", "replica.fetch.max.bytes", "basalt.controlled.shutdown.linger.ms":
                clusterSettings.append((number + 1, name, value))
            default:
                throw .invalid("line \(number + 1): unknown setting \(name)")
            }
        }
        try applyCluster(clusterSettings, to: &configuration)
        do {
            configuration.defaultTopicConfig = try TopicSettings.apply(topicSettings, to: configuration.defaultTopicConfig)
        } catch {
            throw .invalid(error.description)
        }
    }

    /// Applies the cluster settings. Endpoints and name switch cluster mode on (the command
    /// line can do the same); the other settings need it on by the end of configuration.
    static func applyCluster(
        _ settings: [(line: Int, name: String, value: String)], to configuration: inout BrokerConfiguration
    ) throws(BrokerConfigurationError) {
        guard !settings.isEmpty else { return }
        var cluster = configuration.cluster ?? ClusterConfiguration(etcdEndpoints: [], name: "basalt")
        for (line, name, value) in settings {
            func integer() throws(BrokerConfigurationError) -> Int {
                guard let number = Int(value) else { throw .invalid("line \(line): \(name) needs an integer, got \(value)") }
                return number
            }
            switch name {
            case "basalt.etcd.endpoints": cluster.etcdEndpoints = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case "basalt.cluster.name": cluster.name = value
            case "default.replication.factor": cluster.defaultReplicationFactor = try integer()
            case "min.insync.replicas": cluster.minInSyncReplicas = try integer()
            case "replica.lag.time.max.ms": cluster.replicaLagTimeMaxMs = try integer()
            case "broker.session.timeout.ms": cluster.sessionTimeoutMs = try integer()
            case "replica.fetch.wait.max.ms": cluster.replicaFetchWaitMaxMs = try integer()
            case "replica.fetch.max.bytes": cluster.replicaFetchMaxBytes = try integer()
            case "basalt.controlled.shutdown.linger.ms": cluster.controlledShutdownLingerMs = try integer()
            case "unclean.leader.election.enable":
                guard let flag = Bool(value) else { throw .invalid("line \(line): \(name) needs true or false") }
                cluster.uncleanLeaderElection = flag
            default:
                throw .invalid("line \(line): unknown setting \(name)")
            }
        }
        configuration.cluster = cluster
    }
}
