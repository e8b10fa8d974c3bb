import Basalt
import BasaltKafka
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The Kafka-protocol side of a store: decodes a request frame, runs it against the
/// ``Store``, and encodes the answer. Transport-free, so tests can drive it with frames.
///
/// One instance serves every connection of a ``BrokerServer``; it is Sendable and its
/// per-request work runs in Swift concurrency tasks, off the event loops.
public final class Broker: Sendable {
    /// The store the broker serves.
    public let store: Store
    /// The configuration it was started with.
    public let configuration: BrokerConfiguration
    /// The broker's logger.
    public let logger: Logger
    /// The broker's metrics.
    public let metrics: BrokerMetrics
    /// Stable id of this cluster (kept in the data directory).
    public let clusterId: String
    let producerStates: ProducerStates
    let producerIds: ProducerIdAllocator
    let groups: GroupCoordinator
    let blockingPool: NIOThreadPool
    /// This broker's part in a cluster; `nil` in single-node mode.
    let cluster: ClusterNode?
    /// The ACL authorizer; `nil` when authorisation is off (everything allowed).
    let authorizer: Authorizer?
    /// The cluster's ACL key, followed once the broker joins; nil on one node or with authorisation off.
    let aclWatch: EtcdAclStorage?
    /// The broker settings changed through AlterConfigs (single node).
    let dynamicSettings: BrokerDynamicSettings
    /// TLS material, SCRAM credentials and listener addresses.
    public let security: BrokerSecurity
    private let advertised: Mutex<HostPort>
    private let inFlight = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    private let background = Mutex<[Task<Void, Never>]>([])

    /// Opens the store in ``BrokerConfiguration/dataDirectory`` (recovering it if the last
    /// shutdown was not clean) and rebuilds producer state and group offsets from it.
    ///
    /// - Throws: ``BrokerConfigurationError``; ``BrokerStateFileError`` for a damaged
    ///   `broker/cluster-id`, `broker/producer-ids` or `broker/acls.json`; and the store's errors
    ///   (``BasaltError``, which names the damaged file).
    public init(configuration: BrokerConfiguration, metrics: BrokerMetrics = BrokerMetrics()) throws {
        try configuration.validate()
        let logger = configuration.logger
        let started = ContinuousClock.now
        let store = try Store(
            directory: configuration.dataDirectory, defaultConfig: configuration.defaultTopicConfig,
            retentionCheckInterval: .milliseconds(configuration.retentionCheckIntervalMs),
            onMaintenanceFailure: { failure in
                logger.error("\(failure.task.rawValue) failed; the other partitions go on, this one is retried at the next run",
                             metadata: ["partition": "\(failure.partition)", "error": "\(failure.error)"])
                metrics.recordMaintenanceFailure(failure)
            },
            cleanerInterval: .milliseconds(configuration.logCleanerBackoffMs),
            cleanerKeyMapBytes: configuration.logCleanerDedupeBufferBytes,
            onCleaned: { partition, stats in
                logger.info("compacted", metadata: [
                    "partition": "\(partition)", "segments": "\(stats.segmentsRead) → \(stats.segmentsWritten)",
                    "bytes": "\(stats.bytesRead) → \(stats.bytesWritten)", "records_removed": "\(stats.recordsRemoved)",
                    "cleaned_to": "\(stats.endOffset)", "dirty_ratio": "\(stats.dirtyRatio)", "ms": "\(stats.durationMs)"])
                metrics.recordClean(topic: partition.topic, stats: stats)
            })
        let brokerDirectory = configuration.dataDirectory + "/broker"
        let clusterId: String
        let producerStates = ProducerStates(logger: logger)
        let producerIds: ProducerIdAllocator
        var authorizer: Authorizer?
        let dynamicSettings: BrokerDynamicSettings
        let security: BrokerSecurity
        var partitions = 0
        do {
            try FileManager.default.createDirectory(atPath: brokerDirectory, withIntermediateDirectories: true)
            clusterId = try ClusterIdentity.loadOrCreate(directory: brokerDirectory)
            // In a cluster the ACLs are read from etcd when the broker joins (``startAuthorization()``);
            // until then only super users are allowed anything.
            if configuration.authorization.enabled, configuration.cluster == nil {
                let file = AclFile(directory: brokerDirectory)
                authorizer = Authorizer(settings: configuration.authorization, storage: file, initial: try file.load())
            }
            dynamicSettings = try BrokerDynamicSettings(directory: brokerDirectory, staticDefaults: configuration.defaultTopicConfig)
            // Producer state first: the allocator starts above every producer id in the logs.
            for name in store.topicNames {
                guard let topic = try? store.topic(name) else { continue }
                for (number, log) in topic.partitions.enumerated() {
                    _ = try producerStates.table(for: TopicPartition(topic: name, partition: Int32(number)), log: log)
                    partitions += 1
                }
            }
            let floor = producerStates.highestProducerId(below: ProducerIdAllocator.limit).map { $0 + 1 } ?? 0
            producerIds = try ProducerIdAllocator(directory: brokerDirectory, floor: floor)
            security = try BrokerSecurity(configuration: configuration, brokerDirectory: brokerDirectory)
        } catch {
            // Release the store (and its lock), so a fixed data directory can be opened again.
            try? store.close()
            throw error
        }
        self.clusterId = clusterId
        self.dynamicSettings = dynamicSettings
        self.producerIds = producerIds
        self.security = security
        self.producerStates = producerStates
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.advertised = Mutex(HostPort(host: configuration.advertisedHost ?? configuration.listenHost,
                                         port: configuration.advertisedPort ?? configuration.listenPort))
        self.groups = GroupCoordinator(store: store, configuration: configuration, logger: logger, metrics: metrics)
        self.blockingPool = NIOThreadPool(numberOfThreads: 2)
        if let settings = configuration.cluster {
            cluster = try ClusterNode(
                configuration: settings, nodeId: configuration.nodeId, store: store, producerStates: producerStates,
                defaultTopicConfig: configuration.defaultTopicConfig,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, maxResponseBytes: configuration.maxRequestBytes,
                logger: logger, peerSecurity: try PeerSecurity(configuration: configuration, tls: security.tls),
                credentialStore: security.credentials)
        } else {
            cluster = nil
        }
        if configuration.authorization.enabled, let cluster {
            let storage = EtcdAclStorage(client: cluster.client, keys: cluster.keys, logger: logger)
            self.authorizer = Authorizer(settings: configuration.authorization, storage: storage, initial: [])
            aclWatch = storage
        } else {
            self.authorizer = authorizer
            aclWatch = nil
        }
        blockingPool.start()
        logger.info("store open", metadata: [
            "dataDir": "\(configuration.dataDirectory)", "topics": "\(store.topicNames.count)",
            "partitions": "\(partitions)", "producers": "\(producerStates.producerCount)",
            "elapsed": "\(ContinuousClock.now - started)",
        ])
        startBackgroundTasks()
    }

    private func startBackgroundTasks() {
        let interval = configuration.producerSnapshotIntervalMs
        let snapshots = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(interval))
                guard let self, !Task.isCancelled else { return }
                self.producerStates.writeSnapshots()
            }
        }
        let groupTimer = Task { [groups] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                guard !Task.isCancelled else { return }
                await groups.tick()
            }
        }
        background.withLock { $0 = [snapshots, groupTimer] }
    }

    /// The address clients are told to connect to.
    public var advertisedAddress: HostPort { advertised.withLock { $0 } }

    /// Sets the address clients are told to connect to (once the port is bound).
    public func setAdvertisedAddress(_ address: HostPort) {
        advertised.withLock { $0 = address }
    }

    // MARK: - Request lifecycle

    /// Whether shutdown has begun: no new requests start.
    var isDraining: Bool { draining.load(ordering: .acquiring) }

    func requestStarted() { inFlight.add(1, ordering: .relaxed) }
    func requestFinished() { inFlight.subtract(1, ordering: .relaxed) }

    /// Requests being handled right now.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Stops starting requests, wakes parked fetches and group joins so they answer now,
    /// and waits (up to `grace`) for the requests in flight to finish.
    public func drain(grace: Duration) async {
        draining.store(true, ordering: .releasing)
        // After `draining` is set: a fetch that marked before this returns at once and
        // answers, one that marks after sees `isDraining`.
        store.signal.wakeAll()
        await groups.shutdown()
        let deadline = ContinuousClock.now + grace
        while requestsInFlight > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Writes producer-state snapshots and closes the store cleanly (each partition
    /// records a clean shutdown, so the next open scans nothing).
    public func close() throws {
        for task in background.withLock({ $0 }) { task.cancel() }
        aclWatch?.stop()
        producerStates.writeSnapshots()
        try? blockingPool.syncShutdownGracefully()
        try store.close()
        logger.info("store closed cleanly")
    }

    // MARK: - Dispatch

    /// Handles one request frame (the bytes after the size prefix).
    public func handle(frame: ByteBuffer, connection: ConnectionInfo) async -> RequestOutcome {
        var frame = frame
        let header: RequestHeader
        let request: KafkaRequest
        do {
            (header, request) = try KafkaRequest.decode(frame: &frame)
        } catch {
            return rejection(error)
        }
        // Cut off from etcd and its followers, this broker's view of the cluster is stale (and
        // etcd, where producer ids come from, unreachable). A client that kept asking it would
        // wait here for a leader that is elsewhere; closing makes it ask another broker.
        if let cluster, Self.needsClusterSession.contains(header.apiKey), cluster.replicas.isCutOff {
            metrics.recordRejectedRequest()
            return .close(reason: "no valid cluster session: not answering \(header.apiKey) from a stale view")
        }
        let started = ContinuousClock.now
        let access = RequestAccess(authorizer: authorizer, connection: connection)
        if let refused = refusal(of: request, access: access) {
            metrics.recordRequest(api: header.apiKey, duration: ContinuousClock.now - started)
            return respond(refused, to: header)
        }
        let outcome: RequestOutcome
        switch request {
        case .saslHandshake, .saslAuthenticate:
            outcome = saslAfterAuthentication(request, header: header)
        case .describeUserScramCredentials(let body):
            outcome = respond(.describeUserScramCredentials(describeUserScramCredentials(body)), to: header)
        case .alterUserScramCredentials(let body):
            outcome = respond(.alterUserScramCredentials(await alterUserScramCredentials(body)), to: header)
        case .apiVersions:
            outcome = respond(.apiVersions(ApiVersionsResponse(apiKeys: Self.advertisedApis)), to: header)
        case .metadata(let body):
            let answer = if let cluster {
                clusterMetadata(body, version: header.apiVersion, cluster: cluster, access: access, listener: connection.listener)
            } else {
                metadata(body, version: header.apiVersion, access: access, listener: connection.listener)
            }
            outcome = respond(.metadata(withAuthorizedOperations(answer, for: body, version: header.apiVersion, access: access)),
                              to: header)
        case .produce(let body):
            outcome = await produce(body, header: header, access: access)
        case .fetch(let body):
            outcome = await fetch(body, header: header, access: access)
        case .listOffsets(let body):
            outcome = respond(.listOffsets(listOffsets(body, version: header.apiVersion, access: access)), to: header)
        case .offsetForLeaderEpoch(let body):
            outcome = respond(.offsetForLeaderEpoch(offsetForLeaderEpoch(body, access: access)), to: header)
        case .createTopics(let body):
            let response = await authorizedCreateTopics(body, access: access) { permitted in
                if let cluster { return await clusterCreateTopics(permitted, cluster: cluster) }
                return createTopics(permitted)
            }
            outcome = respond(.createTopics(response), to: header)
        case .deleteTopics(let body):
            let response = await authorizedDeleteTopics(body, access: access) { permitted in
                if let cluster { return await clusterDeleteTopics(permitted, cluster: cluster) }
                return deleteTopics(permitted)
            }
            outcome = respond(.deleteTopics(response), to: header)
        case .describeConfigs(let body):
            outcome = respond(.describeConfigs(authorizedDescribeConfigs(body, version: header.apiVersion, access: access)), to: header)
        case .initProducerId(let body):
            outcome = respond(.initProducerId(await initProducerId(body)), to: header)
        case .findCoordinator(let body):
            outcome = respond(.findCoordinator(findCoordinator(body, listener: connection.listener)), to: header)
        case .joinGroup(let body) where !coordinates(body.groupId):
            outcome = respond(.joinGroup(JoinGroupResponse(errorCode: .notCoordinator, generationId: -1, protocolName: "",
                                                            leader: "", memberId: body.memberId)), to: header)
        case .syncGroup(let body) where !coordinates(body.groupId):
            outcome = respond(.syncGroup(SyncGroupResponse(errorCode: .notCoordinator, assignment: ByteBuffer())), to: header)
        case .heartbeat(let body) where !coordinates(body.groupId):
            outcome = respond(.heartbeat(HeartbeatResponse(errorCode: .notCoordinator)), to: header)
        case .leaveGroup(let body) where !coordinates(body.groupId):
            outcome = respond(.leaveGroup(LeaveGroupResponse(errorCode: .notCoordinator)), to: header)
        case .offsetCommit(let body) where !coordinates(body.groupId):
            outcome = respond(.offsetCommit(OffsetCommitResponse(topics: body.topics.map { topic in
                .init(name: topic.name, partitions: topic.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: .notCoordinator) })
            })), to: header)
        case .offsetFetch(let body) where !coordinates(body.groupId):
            outcome = respond(.offsetFetch(OffsetFetchResponse(topics: [], errorCode: .notCoordinator)), to: header)
        case .joinGroup(let body):
            outcome = respond(.joinGroup(await groups.join(
                body, version: header.apiVersion, clientId: header.clientId ?? "", clientHost: connection.clientHost)), to: header)
        case .syncGroup(let body):
            outcome = respond(.syncGroup(await groups.sync(body)), to: header)
        case .heartbeat(let body):
            outcome = respond(.heartbeat(await groups.heartbeat(body)), to: header)
        case .leaveGroup(let body):
            outcome = respond(.leaveGroup(await groups.leave(body)), to: header)
        case .offsetCommit(let body):
            outcome = respond(.offsetCommit(await commitOffsets(body, access: access)), to: header)
        case .offsetFetch(let body):
            outcome = respond(.offsetFetch(await fetchOffsets(body, access: access)), to: header)
        case .describeAcls(let body):
            outcome = respond(.describeAcls(describeAcls(body, access: access)), to: header)
        case .createAcls(let body):
            outcome = respond(.createAcls(await createAcls(body, access: access)), to: header)
        case .deleteAcls(let body):
            outcome = respond(.deleteAcls(await deleteAcls(body, access: access)), to: header)
        case .describeGroups(let body):
            let response = await authorizedDescribeGroups(body, access: access) { await describeGroups($0) }
            outcome = respond(.describeGroups(response), to: header)
        case .listGroups(let body):
            outcome = respond(.listGroups(authorizedListGroups(await listGroups(body), access: access)), to: header)
        case .deleteGroups(let body):
            let response = await authorizedDeleteGroups(body, access: access) { await deleteGroups($0) }
            outcome = respond(.deleteGroups(response), to: header)
        case .offsetDelete(let body):
            let response = await authorizedOffsetDelete(body, access: access) { await offsetDelete($0) }
            outcome = respond(.offsetDelete(response), to: header)
        case .describeCluster(let body):
            outcome = respond(.describeCluster(authorizedDescribeCluster(body, access: access)), to: header)
        case .describeProducers(let body):
            outcome = respond(.describeProducers(authorizedDescribeProducers(body, access: access)), to: header)
        case .createPartitions(let body):
            let response = await authorizedCreatePartitions(body, access: access) { await createPartitions($0) }
            outcome = respond(.createPartitions(response), to: header)
        case .deleteRecords(let body):
            let response = await authorizedDeleteRecords(body, access: access) { await deleteRecords($0) }
            outcome = respond(.deleteRecords(response), to: header)
        case .alterConfigs(let body):
            let response = await authorizedAlterConfigs(body, access: access) { await alterConfigs($0) }
            outcome = respond(.alterConfigs(response), to: header)
        case .incrementalAlterConfigs(let body):
            let response = await authorizedIncrementalAlterConfigs(body, access: access) { await incrementalAlterConfigs($0) }
            outcome = respond(.incrementalAlterConfigs(response), to: header)
        case .describeLogDirs(let body):
            outcome = respond(.describeLogDirs(describeLogDirs(body)), to: header)
        }
        metrics.recordRequest(api: header.apiKey, duration: ContinuousClock.now - started)
        return outcome
    }

    /// Whether this broker coordinates `group`: always on one node; in a cluster, when the
    /// group hashes to it over the live brokers (``clusterCoordinator(for:cluster:)``).
    func coordinates(_ group: String) -> Bool {
        guard let cluster else { return true }
        return clusterCoordinator(for: group, cluster: cluster).nodeId == configuration.nodeId
    }

    /// The requests a broker cut off from the cluster does not answer.
    static let needsClusterSession: Set<ApiKey> = [.metadata, .findCoordinator, .initProducerId]

    /// The APIs and versions this broker advertises: everything BasaltKafka implements.
    static let advertisedApis: [ApiVersionsResponse.ApiVersion] = ApiVersionsResponse.supportedApiKeys

    /// Encodes `response` for the request `header` came with.
    ///
    /// Responses echo what requests carried (names, member ids, metadata), so a response
    /// may not be encodable; that closes this one connection, like a malformed request.
    func respond(_ response: KafkaResponse, to header: RequestHeader) -> RequestOutcome {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        do {
            try response.encodeFrame(correlationId: header.correlationId, version: header.apiVersion, into: &buffer)
        } catch {
            return unencodable(error, api: header.apiKey)
        }
        return .respond(ResponseFrame(bytes: buffer))
    }

    /// The longest error message a response carries, in UTF-8 bytes.
    ///
    /// Messages quote what the request sent (a topic name, a config value) and a string
    /// field holds at most 32767 bytes; a message is for people, so 1 KiB is plenty.
    static let maxErrorMessageBytes = 1024

    /// `text` cut to ``maxErrorMessageBytes``.
    static func errorMessage(_ text: String) -> String {
        text.utf8Prefix(maxBytes: maxErrorMessageBytes)
    }

    /// What a request whose response cannot be encoded gets: a closed connection, counted
    /// with the rejected requests.
    func unencodable(_ error: KafkaEncodingError, api: ApiKey) -> RequestOutcome {
        metrics.recordRejectedRequest()
        return .close(reason: "\(api) response not encodable: \(error)")
    }

    /// What a frame that does not decode gets: an ApiVersions v0 error body for an
    /// unsupported ApiVersions version (so the client retries with one it knows), a
    /// closed connection for everything else, as Kafka does.
    private func rejection(_ error: KafkaProtocolError) -> RequestOutcome {
        metrics.recordRejectedRequest()
        switch error {
        case .unsupportedVersion(.apiVersions, _, let correlationId):
            let body = ApiVersionsResponse(
                errorCode: .unsupportedVersion,
                apiKeys: Self.advertisedApis.filter { $0.apiKey == ApiKey.apiVersions.rawValue })
            return respond(.apiVersions(body), to: RequestHeader(
                apiKey: .apiVersions, apiVersion: 0, correlationId: correlationId, clientId: nil))
        case .unsupportedVersion(let apiKey, let version, _):
            return .close(reason: "unsupported version \(version) of \(apiKey)")
        case .unknownApiKey(let key, _):
            return .close(reason: "unknown api key \(key)")
        default:
            return .close(reason: "malformed request: \(error)")
        }
    }

    // MARK: - Topics

    /// The topic `name`, created with the broker defaults when it does not exist and
    /// `create` is true.
    func lookupTopic(_ name: String, create: Bool) -> TopicLookup {
        if let topic = try? store.topic(name) { return .found(topic) }
        do {
            try NameRules.validateTopic(name)
        } catch {
            return .failed(.invalidTopic)
        }
        if let cluster {
            // In a cluster a topic is created in etcd and appears here once the controller
            // placed it; until then clients retry.
            if cluster.metadata.view.topics[name] != nil { return .failed(.notLeaderOrFollower) }
            guard create, configuration.autoCreateTopics else { return .failed(.unknownTopicOrPartition) }
            requestClusterTopic(name, cluster: cluster)
            return .failed(.leaderNotAvailable)
        }
        guard create, configuration.autoCreateTopics else { return .failed(.unknownTopicOrPartition) }
        do {
            let topic = try store.createTopic(name, partitions: configuration.defaultPartitions, config: topicDefaults)
            logger.info("auto-created topic", metadata: ["topic": "\(name)", "partitions": "\(configuration.defaultPartitions)"])
            return .found(topic)
        } catch BasaltError.topicExists {
            guard let topic = try? store.topic(name) else { return .failed(.unknownTopicOrPartition) }
            return .found(topic)
        } catch let error as BasaltError {
            return .failed(error.kafkaErrorCode)
        } catch {
            return .failed(.unknownServerError)
        }
    }

    /// Whether this broker may serve `id` as its leader, checked against the leader epoch a
    /// request names (−1 for none).
    ///
    /// In a cluster that is what etcd's partition state says (``ReplicaManager``). On one
    /// node this broker leads everything, in the epoch the log records (0 unless the log
    /// was once replicated).
    func leadership(_ id: TopicPartition, log: PartitionLog, requestEpoch: Int32) -> LeaderCheck {
        if let cluster { return cluster.replicas.leaderCheck(id, requestEpoch: requestEpoch) }
        let epoch = log.leaderEpoch
        if requestEpoch == -1 || requestEpoch == epoch { return .leader(epoch: epoch, inSyncReplicas: 1) }
        return .refused(requestEpoch > epoch ? .unknownLeaderEpoch : .fencedLeaderEpoch)
    }
}

/// The outcome of looking a topic up (and maybe creating it) for a request.
enum TopicLookup {
    case found(Topic)
    case failed(KafkaErrorCode)
}
