/// How a broker joins a cluster: where etcd is, the cluster's name, and the replication
/// settings, under Kafka's names where Kafka has them.
///
/// A broker without a cluster configuration runs in single-node mode, exactly as before
/// clusters existed.
public struct ClusterConfiguration: Sendable, Equatable {
    /// etcd client URLs, `http://host:port`; requests fail over between them in order.
    public var etcdEndpoints: [String]
    /// Name of the cluster; every key lives under `/basalt/<name>/`.
    public var name: String
    /// Replicas of topics created without a replication factor
    /// (`default.replication.factor`).
    public var defaultReplicationFactor: Int = 1
    /// Smallest ISR with which an acks=all produce succeeds (`min.insync.replicas`).
    public var minInSyncReplicas: Int = 1
    /// How long a follower may go without catching up before it leaves the ISR
    /// (`replica.lag.time.max.ms`).
    public var replicaLagTimeMaxMs: Int = 30_000
    /// Whether a replica outside the ISR may lead when no ISR member is alive, at the cost
    /// of acknowledged records (`unclean.leader.election.enable`).
    public var uncleanLeaderElection: Bool = false
    /// TTL of the broker's etcd lease: a broker not heard from for this long is dead to the
    /// cluster and its partitions get new leaders (`broker.session.timeout.ms`). etcd counts
    /// leases in whole seconds, so this is rounded up to one.
    public var sessionTimeoutMs: Int = 3000
    /// How long a follower's Fetch waits at the leader for new data (`replica.fetch.wait.max.ms`).
    public var replicaFetchWaitMaxMs: Int = 500
    /// Most bytes one follower Fetch asks for per partition (`replica.fetch.max.bytes`).
    public var replicaFetchMaxBytes: Int = 1 << 20
    /// Longest delay before a follower fetches again a partition whose batches its log keeps
    /// refusing; the delay starts at 50 ms and doubles up to this (`replica.fetch.backoff.ms`).
    public var replicaFetchBackoffMs: Int = 1000
    /// How long a broker shutting down stays registered after its leadership moved, so
    /// clients refresh their metadata while it is still listed (`basalt.controlled.shutdown.linger.ms`).
    public var controlledShutdownLingerMs: Int = 1000
    /// How long an etcd request may take before the next endpoint is tried.
    public var etcdRequestTimeoutMs: Int = 2000

    /// A cluster configuration with Kafka's defaults.
    public init(etcdEndpoints: [String], name: String) {
        self.etcdEndpoints = etcdEndpoints
        self.name = name
    }

    /// The lease TTL in whole seconds.
    public var sessionTimeoutSeconds: Int { max(1, (sessionTimeoutMs + 999) / 1000) }

    /// Checks ranges, naming the setting at fault.
    public func validate() throws(BrokerConfigurationError) {
        guard !etcdEndpoints.isEmpty else { throw .invalid("--etcd needs at least one endpoint") }
        for endpoint in etcdEndpoints where !(endpoint.hasPrefix("http://") && endpoint.count > 7) {
            throw .invalid("etcd endpoint \(endpoint) is not http://HOST:PORT")
        }
        guard !name.isEmpty, name.utf8.count <= 64,
              name.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0)
                  || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
            throw .invalid("cluster name must be 1–64 characters of [A-Za-z0-9_-]")
        }
        guard (1...PartitionState.maxReplicas).contains(defaultReplicationFactor) else {
            throw .invalid("default.replication.factor must be in 1...\(PartitionState.maxReplicas)")
        }
        guard minInSyncReplicas >= 1 else { throw .invalid("min.insync.replicas must be at least 1") }
        guard replicaLagTimeMaxMs > 0 else { throw .invalid("replica.lag.time.max.ms must be positive") }
        guard (1000...3_600_000).contains(sessionTimeoutMs) else {
            throw .invalid("broker.session.timeout.ms must be in 1000...3600000")
        }
        guard replicaFetchWaitMaxMs >= 0, replicaFetchWaitMaxMs < replicaLagTimeMaxMs else {
            throw .invalid("replica.fetch.wait.max.ms must be ≥ 0 and below replica.lag.time.max.ms")
        }
        guard replicaFetchMaxBytes >= 1024 else { throw .invalid("replica.fetch.max.bytes must be at least 1024") }
        guard (0...3_600_000).contains(replicaFetchBackoffMs) else {
            throw .invalid("replica.fetch.backoff.ms must be in 0...3600000")
        }
        guard etcdRequestTimeoutMs > 0 else { throw .invalid("etcd request timeout must be positive") }
        guard (0...30_000).contains(controlledShutdownLingerMs) else {
            throw .invalid("basalt.controlled.shutdown.linger.ms must be in 0...30000")
        }
    }
}
