import Basalt
import Foundation

/// Reads a broker configuration file in Kafka's `server.properties` format: one
/// `name=value` per line, `#` or `!` comments, Kafka's names where Kafka has the setting.
///
/// | name | sets |
/// |---|---|
/// | `log.dirs` / `log.dir` | ``BrokerConfiguration/dataDirectory`` (first directory) |
/// | `listeners` | ``BrokerConfiguration/listeners``: `NAME://host:port[,…]` |
/// | `advertised.listeners` | the address clients are told, per listener name |
/// | `listener.security.protocol.map`, `inter.broker.listener.name` | see ``ListenerConfiguration`` |
/// | `ssl.keystore.type`, `ssl.keystore.location`, `ssl.key.location`, `ssl.truststore.type`, `ssl.truststore.location`, `ssl.client.auth`, `ssl.enabled.protocols`, `basalt.ssl.reload.check.interval.ms` | ``TLSSettings`` |
/// | `sasl.enabled.mechanisms`, `sasl.mechanism.inter.broker.protocol`, `basalt.inter.broker.sasl.username`, `basalt.inter.broker.sasl.password.file`, `connection.failed.authentication.delay.ms`, `sasl.server.max.receive.size` | ``SaslSettings`` |
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
/// | `default.replication.factor`, `min.insync.replicas`, `replica.lag.time.max.ms`, `unclean.leader.election.enable`, `broker.session.timeout.ms`, `replica.fetch.wait.max.ms`, `replica.fetch.max.bytes`, `replica.fetch.backoff.ms`, `basalt.controlled.shutdown.linger.ms` | ``ClusterConfiguration`` |
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
        // Listener and security settings refer to each other; they are read as a whole at the end.
        var securitySettings: [String: (line: Int, value: String)] = [:]
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
            case "listeners", "advertised.listeners", "listener.security.protocol.map", "inter.broker.listener.name",
                 "ssl.keystore.type", "ssl.keystore.location", "ssl.key.location", "ssl.truststore.type",
                 "ssl.truststore.location", "ssl.client.auth", "ssl.enabled.protocols", "sasl.enabled.mechanisms",
                 "sasl.mechanism.inter.broker.protocol", "basalt.inter.broker.sasl.username",
                 "basalt.inter.broker.sasl.password.file", "connection.failed.authentication.delay.ms",
                 "sasl.server.max.receive.size", "basalt.ssl.reload.check.interval.ms":
                securitySettings[name] = (number + 1, value)
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
                 "replica.fetch.wait.max.ms", "replica.fetch.max.bytes", "basalt.controlled.shutdown.linger.ms",
                 "replica.fetch.backoff.ms":
                clusterSettings.append((number + 1, name, value))
            default:
                throw .invalid("line \(number + 1): unknown setting \(name)")
            }
        }
        try applySecurity(securitySettings, to: &configuration)
        try applyCluster(clusterSettings, to: &configuration)
        do {
            configuration.defaultTopicConfig = try TopicSettings.apply(topicSettings, to: configuration.defaultTopicConfig)
        } catch {
            throw .invalid(error.description)
        }
    }

    /// Applies listener, TLS and SASL settings (see ``ListenerConfiguration``, ``TLSSettings``
    /// and ``SaslSettings`` for the names).
    static func applySecurity(
        _ settings: [String: (line: Int, value: String)], to configuration: inout BrokerConfiguration
    ) throws(BrokerConfigurationError) {
        guard !settings.isEmpty else { return }
        func value(_ name: String) -> String? { settings[name]?.value }
        func fail(_ name: String, _ message: String) -> BrokerConfigurationError {
            .invalid("line \(settings[name]?.line ?? 0): \(name) \(message)")
        }
        if let listeners = value("listeners") {
            configuration.listeners = try ListenerConfiguration.parse(
                listeners: listeners, advertised: value("advertised.listeners"),
                protocolMap: value("listener.security.protocol.map"))
            configuration.listenHost = configuration.listeners[0].host
            configuration.listenPort = configuration.listeners[0].port
        } else if let advertised = value("advertised.listeners") {
            guard let parsed = HostPort(parsing: advertised.split(separator: ",").first.map(String.init) ?? advertised) else {
                throw fail("advertised.listeners", "needs NAME://host:port, got \(advertised)")
            }
            configuration.advertisedHost = parsed.host
            configuration.advertisedPort = parsed.port
        }
        if let name = value("inter.broker.listener.name") { configuration.interBrokerListenerName = name.uppercased() }
        for name in ["ssl.keystore.type", "ssl.truststore.type"] {
            if let type = value(name), type.uppercased() != "PEM" { throw fail(name, "must be PEM, got \(type)") }
        }
        if let protocols = value("ssl.enabled.protocols") {
            let allowed: Set<String> = ["TLSv1.2", "TLSv1.3"]
            for entry in protocols.split(separator: ",") where !allowed.contains(entry.trimmingCharacters(in: .whitespaces)) {
                throw fail("ssl.enabled.protocols", "may list only TLSv1.2 and TLSv1.3, got \(entry)")
            }
        }
        if let keystore = value("ssl.keystore.location") {
            var tls = TLSSettings(keystorePath: keystore, keyPath: value("ssl.key.location"),
                                  truststorePath: value("ssl.truststore.location"))
            if let mode = value("ssl.client.auth") {
                guard let clientAuth = TLSClientAuth(rawValue: mode.lowercased()) else {
                    throw fail("ssl.client.auth", "must be required, requested or none, got \(mode)")
                }
                tls.clientAuth = clientAuth
            }
            if let interval = value("basalt.ssl.reload.check.interval.ms") {
                guard let milliseconds = Int(interval), milliseconds >= 0 else {
                    throw fail("basalt.ssl.reload.check.interval.ms", "needs an integer ≥ 0")
                }
                tls.reloadCheckIntervalMs = milliseconds
            }
            configuration.tls = tls
        } else if let name = ["ssl.key.location", "ssl.truststore.location", "ssl.client.auth", "basalt.ssl.reload.check.interval.ms"].first(where: { value($0) != nil }) {
            throw fail(name, "needs ssl.keystore.location")
        }
        func mechanism(_ text: String, _ name: String) throws(BrokerConfigurationError) -> SaslMechanism {
            guard let mechanism = SaslMechanism(rawValue: text.trimmingCharacters(in: .whitespaces).uppercased()) else {
                throw fail(name, "supports PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, got \(text)")
            }
            return mechanism
        }
        if let list = value("sasl.enabled.mechanisms") {
            var mechanisms: [SaslMechanism] = []
            for entry in list.split(separator: ",") { mechanisms.append(try mechanism(String(entry), "sasl.enabled.mechanisms")) }
            configuration.sasl.enabledMechanisms = mechanisms
        }
        if let text = value("sasl.mechanism.inter.broker.protocol") {
            configuration.sasl.interBrokerMechanism = try mechanism(text, "sasl.mechanism.inter.broker.protocol")
        }
        if let user = value("basalt.inter.broker.sasl.username") { configuration.sasl.interBrokerUsername = user }
        if let file = value("basalt.inter.broker.sasl.password.file") { configuration.sasl.interBrokerPasswordFile = file }
        if let size = value("sasl.server.max.receive.size") {
            guard let bytes = Int(size), bytes >= 1024 else { throw fail("sasl.server.max.receive.size", "needs an integer ≥ 1024") }
            configuration.sasl.maxReceiveBytes = bytes
        }
        if let delay = value("connection.failed.authentication.delay.ms") {
            guard let milliseconds = Int(delay), milliseconds >= 0 else { throw fail("connection.failed.authentication.delay.ms", "needs an integer ≥ 0") }
            configuration.sasl.failedAuthenticationDelayMs = milliseconds
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
            case "replica.fetch.backoff.ms": cluster.replicaFetchBackoffMs = try integer()
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
