import Basalt
import BasaltEtcd
import BasaltKafka
import Logging
import NIOCore
import Synchronization

/// A broker's membership of a cluster: its registration in etcd, its view of the cluster,
/// its campaign for the controller office, and its replicas.
///
/// Created by ``Broker`` when the configuration names a cluster, started by
/// ``BrokerServer`` once the listener is bound (peers must be able to reach the address it
/// registers), and stopped with a controlled shutdown: leadership moves away first.
final class ClusterNode: Sendable {
    let configuration: ClusterConfiguration
    let nodeId: Int32
    let keys: ClusterKeys
    let client: EtcdClient
    /// The SCRAM users, shared through etcd.
    let credentials: ClusterCredentials?
    let metadata: ClusterMetadata
    let controller: ClusterController
    let replicas: ReplicaManager
    /// Committed offsets of consumer groups.
    let groupOffsets: GroupOffsetStore
    /// Whether this broker may act for the cluster now (``BrokerSession``).
    let session = BrokerSession()
    /// Producer ids unique over the cluster.
    let producerIds: ClusterProducerIds
    private let logger: Logger
    private let registration = Mutex<BrokerRegistration?>(nil)

    init(configuration: ClusterConfiguration, nodeId: Int32, store: Store, producerStates: ProducerStates,
         defaultTopicConfig: LogConfig, eventLoopGroup: any EventLoopGroup,
         maxResponseBytes: Int, logger: Logger, peerSecurity: PeerSecurity = PeerSecurity(),
         credentialStore: ScramCredentialStore? = nil) throws {
        self.configuration = configuration
        self.nodeId = nodeId
        self.logger = logger
        keys = ClusterKeys(cluster: configuration.name)
        client = try EtcdClient(
            endpoints: configuration.etcdEndpoints.joined(separator: ","), eventLoopGroup: eventLoopGroup,
            requestTimeout: .milliseconds(configuration.etcdRequestTimeoutMs), watchReconnectTimeout: .seconds(3600))
        metadata = ClusterMetadata(client: client, keys: keys, logger: logger)
        groupOffsets = GroupOffsetStore(client: client, cluster: configuration.name)
        producerIds = ClusterProducerIds(client: client, keys: keys)
        controller = ClusterController(client: client, keys: keys, nodeId: nodeId, metadata: metadata,
                                       configuration: configuration, logger: logger)
        var context = ReplicaContext(
            nodeId: nodeId, metadata: metadata, eventLoopGroup: eventLoopGroup, producerStates: producerStates,
            logger: logger, maxResponseBytes: maxResponseBytes,
            fetchMaxBytesPerPartition: configuration.replicaFetchMaxBytes, fetchWaitMaxMs: configuration.replicaFetchWaitMaxMs,
            fetchBackoffMs: configuration.replicaFetchBackoffMs)
        context.peerSecurity = peerSecurity
        if let credentialStore {
            credentials = ClusterCredentials(client: client, keys: keys, store: credentialStore, logger: logger)
        } else {
            credentials = nil
        }
        replicas = ReplicaManager(context: context, store: store, client: client, keys: keys,
                                  configuration: configuration, defaultTopicConfig: defaultTopicConfig, session: session)
    }

    /// Reads the cluster, takes up this broker's replicas, registers it at `advertised`
    /// and starts campaigning for the controller office.
    func start(advertised: HostPort, listeners: [String: HostPort] = [:]) async throws {
        // etcd may be starting, busy or briefly unreachable: a broker waits for it rather than
        // exit on the first failed request (it serves nothing for the cluster meanwhile).
        try await retrying("read the cluster") { try await self.metadata.start() }
        if let credentials { try await retrying("share the SCRAM users") { try await credentials.start() } }
        replicas.start()
        let registration = BrokerRegistration(
            client: client, keys: keys, nodeId: nodeId, record: BrokerRecord(
                host: advertised.host, port: advertised.port,
                listeners: listeners.isEmpty ? nil : listeners.mapValues { BrokerRecord.Address(host: $0.host, port: $0.port) }),
            ttlSeconds: configuration.sessionTimeoutSeconds, logger: logger)
        self.registration.withLock { $0 = registration }
        let (metadata, session, controller, logger) = (self.metadata, self.session, self.controller, self.logger)
        try await retrying("register") { try await self.startRegistration(registration, metadata: metadata, session: session,
                                                                       controller: controller, logger: logger) }
    }

    /// Runs `attempt` until it succeeds; throws `CancellationError` when the task is cancelled.
    private func retrying(_ what: String, _ attempt: () async throws -> Void) async throws {
        guard await EtcdRetry.untilDone("\(what) yet; retrying", logger: logger, pause: .milliseconds(500), attempt) != nil else {
            throw CancellationError()
        }
    }

    private func startRegistration(
        _ registration: BrokerRegistration, metadata: ClusterMetadata, session: BrokerSession,
        controller: ClusterController, logger: Logger
    ) async throws {
        try await registration.start { [weak registration] lease in
            guard let lease, let registration else {
                // Lost: stop acting now; the cluster may already be electing new leaders.
                session.fence()
                controller.leaseChanged(nil)
                return
            }
            // The view may be stale after a lapse: read the cluster before acting again.
            guard await EtcdRetry.untilDone("read the cluster after registering", logger: logger, pause: .milliseconds(250), {
                try await metadata.refresh()
            }) != nil else { return }
            session.admit(lease: lease) { [weak registration] in registration?.leaseID == lease }
            controller.leaseChanged(lease)
        }
    }

    /// Moves leadership of every partition this broker leads to another in-sync replica and
    /// leaves every ISR, then waits (up to `timeout`) until etcd shows it leads nothing.
    ///
    /// - Returns: whether it led anything that moved.
    @discardableResult
    func controlledShutdown(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var moved = false
        while ContinuousClock.now < deadline {
            let view = metadata.view
            var pending = false
            for (id, versioned) in view.partitions where versioned.state.isr.contains(nodeId) {
                let next: PartitionState?
                do {
                    next = try LeaderElection.forControlledShutdown(versioned.state, broker: nodeId, live: view.liveBrokers)
                } catch {
                    continue
                }
                guard let next else { continue }  // no one else can take it
                pending = true
                let key = keys.partition(id.topic, id.partition)
                _ = try? await client.txn(compare: [.modRevision(of: key, .equal, versioned.modRevision)],
                                          success: [.put(key: key, value: ClusterRecordCodec.encode(next), leaseID: 0)])
            }
            guard pending else { return moved }
            moved = true
            _ = await metadata.waitFor(timeout: .milliseconds(200)) { [nodeId] view in
                !view.partitions.values.contains { state in
                    state.state.isr.contains(nodeId) && (try? LeaderElection.forControlledShutdown(
                        state.state, broker: nodeId, live: view.liveBrokers)) != nil
                }
            }
        }
        logger.warning("controlled shutdown did not move every partition in time")
        return moved
    }

    /// Stops everything and removes this broker's registration.
    func stop() async {
        controller.stop()
        replicas.stop()
        await registration.withLock { $0 }?.deregister()
        metadata.stop()
        credentials?.stop()
    }
}
