import Basalt
import BasaltEtcd
import Logging
import Synchronization

/// The cluster's controller when this broker wins the election: it assigns replicas to new
/// topics and moves leadership when brokers die or return (docs/replication.md).
///
/// Every broker campaigns for the `controller` key under its registration lease; the
/// winner reconciles each new ``ClusterView``. Each of its writes is one etcd transaction
/// that compares the partition's (or topic's) revision *and* that the controller key is
/// still attached to this broker's lease: a controller that lost its lease, even one that
/// has not noticed yet (paused, cut off), cannot change anything.
final class ClusterController: Sendable {
    private let client: EtcdClient
    private let keys: ClusterKeys
    private let nodeId: Int32
    private let metadata: ClusterMetadata
    private let configuration: ClusterConfiguration
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let active = Atomic<Bool>(false)

    init(client: EtcdClient, keys: ClusterKeys, nodeId: Int32, metadata: ClusterMetadata,
         configuration: ClusterConfiguration, logger: Logger) {
        self.client = client
        self.keys = keys
        self.nodeId = nodeId
        self.metadata = metadata
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether this broker acts as controller right now.
    var isActive: Bool { active.load(ordering: .relaxed) }

    /// Campaigns under `lease` from now on, or (`nil`, the lease was lost) stops acting as
    /// controller at once.
    func leaseChanged(_ lease: Int64?) {
        let previous = task.withLock { task -> Task<Void, Never>? in
            defer { task = lease.map { self.campaignTask(lease: $0) } }
            return task
        }
        previous?.cancel()
        if lease == nil { active.store(false, ordering: .relaxed) }
    }

    /// Stops acting as controller.
    func stop() {
        task.withLock { $0?.cancel() }
        active.store(false, ordering: .relaxed)
    }

    private func campaignTask(lease: Int64) -> Task<Void, Never> {
        Task { [weak self] in
            guard let self else { return }
            let election = EtcdElection(client: client, key: keys.controller, value: Array(String(nodeId).utf8), leaseID: lease)
            guard await EtcdRetry.untilDone("campaign for the controller office", logger: logger, pause: .milliseconds(250), {
                try await election.campaign()
            }) != nil, !Task.isCancelled else { return }
            active.store(true, ordering: .relaxed)
            logger.info("acting as controller", metadata: ["node": "\(nodeId)"])
            defer { active.store(false, ordering: .relaxed) }
            for await view in metadata.updates() {
                guard !Task.isCancelled else { return }
                // The controller key is gone or someone else's: the office is lost.
                guard view.controller == nil || view.controller == nodeId else {
                    logger.warning("controller office taken by node \(view.controller ?? -1); stepping down")
                    return
                }
                var unfinished = await reconcile(view, lease: lease)
                // A write that failed without a change to watch (etcd unreachable, a
                // timeout) is retried on the latest view until it goes through.
                while unfinished, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(500))  // retry pause, not synchronisation
                    unfinished = await reconcile(metadata.view, lease: lease)
                }
            }
        }
    }

    /// Brings the partitions of `view` in line with the live brokers. Returns whether a
    /// write failed for a reason other than a concurrent change.
    func reconcile(_ view: ClusterView, lease: Int64) async -> Bool {
        var unfinished = false
        let live = view.liveBrokers
        for (name, topic) in view.topics.sorted(by: { $0.key < $1.key }) {
            if !topic.isAssigned {
                if await !assign(name, topic, view: view, lease: lease) { unfinished = true }
                // A grown topic's placed partitions still fail over while the added ones
                // wait for placement (too few live brokers, say).
                if topic.assignment.isEmpty { continue }
            }
            for partition in 0..<Int32(topic.assignment.count) {
                let id = TopicPartition(topic: name, partition: partition)
                guard let versioned = view.partitions[id] else {
                    if await !write(id, PartitionState.initial(replicas: topic.assignment[Int(partition)]), expectedRevision: 0, lease: lease) {
                        unfinished = true
                    }
                    continue
                }
                do {
                    var next = try LeaderElection.afterFailures(
                        versioned.state, live: live,
                        uncleanAllowed: ReplicationSettings(configs: topic.configs, defaults: configuration).uncleanLeaderElection)
                    if next == nil, versioned.state.leader == PartitionState.noLeader {
                        for broker in versioned.state.isr where live.contains(broker) {
                            next = try LeaderElection.afterReturn(versioned.state, broker: broker, live: live)
                            if next != nil { break }
                        }
                    }
                    if let next {
                        logger.info("partition state change", metadata: [
                            "partition": "\(id)", "leader": "\(versioned.state.leader)→\(next.leader)",
                            "isr": "\(next.isr)", "leaderEpoch": "\(next.leaderEpoch)",
                        ])
                        if await !write(id, next, expectedRevision: versioned.modRevision, lease: lease) { unfinished = true }
                    }
                } catch {
                    logger.error("cannot change partition state", metadata: ["partition": "\(id)", "error": "\(error)"])
                }
            }
        }
        return unfinished
    }

    /// Places the partitions of `topic` that have no replicas yet: all of a new topic, the
    /// added ones of a grown topic (the others keep their replicas and states).
    /// Returns false when the write failed without an answer (to be retried).
    private func assign(_ name: String, _ topic: TopicRecord, view: ClusterView, lease: Int64) async -> Bool {
        let brokers = Array(view.liveBrokers)
        let placed = topic.assignment.count
        let assignment: [[Int32]]
        do {
            assignment = try ReplicaPlacement.assign(
                partitions: Int(topic.partitions) - placed, replicationFactor: topic.replicationFactor, brokers: brokers,
                start: Int.random(in: 0..<max(brokers.count, 1)))
        } catch {
            // Too few live brokers: wait for more (a change to watch), not a retry.
            logger.warning("cannot place topic yet", metadata: ["topic": "\(name)", "error": "\(error)"])
            return true
        }
        var assigned = topic
        assigned.assignment += assignment
        var operations: [EtcdTxnOperation] = [.put(key: keys.topic(name), value: ClusterRecordCodec.encode(assigned), leaseID: 0)]
        for (index, replicas) in assignment.enumerated() {
            let partition = placed + index
            operations.append(.put(key: keys.partition(name, Int32(partition)),
                                   value: ClusterRecordCodec.encode(PartitionState.initial(replicas: replicas)), leaseID: 0))
        }
        let topicRevision = view.topicRevisions[name] ?? 0
        do {
            let result = try await client.txn(
                compare: [.modRevision(of: keys.topic(name), .equal, topicRevision), .lease(of: keys.controller, .equal, lease)],
                success: operations)
            if result.succeeded {
                logger.info("assigned replicas", metadata: ["topic": "\(name)", "assignment": "\(assignment)"])
            }
            return true
        } catch {
            logger.warning("cannot assign replicas", metadata: ["topic": "\(name)", "error": "\(error)"])
            return false
        }
    }

    /// Returns false when the write failed without an answer (to be retried).
    private func write(_ id: TopicPartition, _ state: PartitionState, expectedRevision: Int64, lease: Int64) async -> Bool {
        let key = keys.partition(id.topic, id.partition)
        do {
            let result = try await client.txn(
                compare: [.modRevision(of: key, .equal, expectedRevision), .lease(of: keys.controller, .equal, lease)],
                success: [.put(key: key, value: ClusterRecordCodec.encode(state), leaseID: 0)])
            if !result.succeeded {
                // Someone changed it first; the watch brings the new state and we look again.
                logger.debug("partition state changed under the controller", metadata: ["partition": "\(id)"])
            }
            return true
        } catch {
            logger.warning("cannot write partition state", metadata: ["partition": "\(id)", "error": "\(error)"])
            return false
        }
    }
}
