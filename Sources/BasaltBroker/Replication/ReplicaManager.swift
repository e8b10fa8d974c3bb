import Basalt
import BasaltEtcd
import BasaltKafka
import Logging
import Synchronization

/// Turns etcd's partition states into what this broker does for each partition it hosts:
/// lead (tracking its followers, the ISR and the high watermark), follow (through a
/// ``ReplicaFetcher`` per leader broker), or wait while the partition is offline.
///
/// Leadership is exactly what etcd says: a broker leads a partition from the moment it
/// sees a state naming it leader, in that state's leader epoch, until it sees one that
/// does not. A leader that was replaced without noticing (paused, cut off) cannot
/// complete an acks=all write: its followers fetch from the new leader, so its high
/// watermark stays put, and it cannot shrink the ISR because its compare-and-swap names a
/// revision that is gone.
final class ReplicaManager: Sendable {
    private let context: ReplicaContext
    private let store: Store
    private let client: EtcdClient
    private let keys: ClusterKeys
    private let configuration: ClusterConfiguration
    private let defaultTopicConfig: LogConfig
    private let roles = Mutex<[TopicPartition: ReplicaAssignmentState]>([:])
    private let fetchers = Mutex<[Int32: ReplicaFetcher]>([:])
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let knownTopics = Mutex<Set<String>>([])
    private let session: BrokerSession
    private let lastCheckpoint = Mutex(ContinuousClock.now)
    /// The origin of the millisecond times the ISR rules use (monotonic).
    private let started = ContinuousClock.now

    init(context: ReplicaContext, store: Store, client: EtcdClient, keys: ClusterKeys,
         configuration: ClusterConfiguration, defaultTopicConfig: LogConfig, session: BrokerSession) {
        self.session = session
        self.context = context
        self.store = store
        self.client = client
        self.keys = keys
        self.configuration = configuration
        self.defaultTopicConfig = defaultTopicConfig
    }

    private var nodeId: Int32 { context.nodeId }
    private var logger: Logger { context.logger }

    // MARK: - Lifecycle

    /// Puts every local log in replicated mode and starts following the cluster's view.
    func start() {
        for name in store.topicNames {
            guard let topic = try? store.topic(name) else { continue }
            for log in topic.partitions { log.enableReplication() }
        }
        let follow = Task { [weak self] in
            guard let updates = self?.context.metadata.updates() else { return }
            for await view in updates {
                guard let self, !Task.isCancelled else { return }
                self.reconcile(view)
            }
        }
        let maintain = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))  // the ISR check's period, not synchronisation
                guard let self, !Task.isCancelled else { return }
                await self.maintainIsr()
                self.checkpointHighWatermarks()
            }
        }
        tasks.withLock { $0 = [follow, maintain] }
    }

    /// Stops fetching and following.
    func stop() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
        for fetcher in fetchers.withLock({ $0.values }) { fetcher.stop() }
        fetchers.withLock { $0.removeAll() }
        checkpointHighWatermarks()
    }


    /// Writes each log's high watermark checkpoint every few seconds (Kafka: 5 s).
    private func checkpointHighWatermarks() {
        let due = lastCheckpoint.withLock { last -> Bool in
            guard ContinuousClock.now - last >= .seconds(2) else { return false }
            last = ContinuousClock.now
            return true
        }
        guard due else { return }
        for name in store.topicNames {
            guard let topic = try? store.topic(name) else { continue }
            for log in topic.partitions {
                do {
                    try log.checkpointHighWatermark()
                } catch {
                    logger.warning("high watermark checkpoint failed", metadata: ["log": "\(log.directory)", "error": "\(error)"])
                }
            }
        }
    }

    // MARK: - Following etcd

    /// Applies a new view: creates hosted topics, deletes topics the cluster deleted, and
    /// moves each hosted partition into the role its state gives it.
    func reconcile(_ view: ClusterView) {
        syncTopics(view)
        let now = nowMs()
        var seen = Set<TopicPartition>()
        for (id, versioned) in view.partitions {
            let state = versioned.state
            guard state.replicas.contains(nodeId), let topic = try? store.topic(id.topic),
                  let log = try? topic.partition(id.partition) else { continue }
            seen.insert(id)
            let current = roles.withLock { $0[id] }
            if state.leader == nodeId {
                if case .leader? = current?.role, current?.leaderEpoch == state.leaderEpoch {
                    // Updated in place under the lock: follower fetches move the same tracker
                    // concurrently, and a copy written back would undo their progress.
                    let highWatermark = roles.withLock { roles -> Int64? in
                        guard case .leader(var tracker)? = roles[id]?.role else { return nil }
                        roles[id]?.stateRevision = versioned.modRevision
                        roles[id]?.state = state
                        guard tracker.isr != state.isr, tracker.proposedIsr == nil || tracker.proposedIsr == state.isr else {
                            return nil
                        }
                        let moved = tracker.confirmIsr(state.isr)
                        roles[id]?.role = .leader(tracker)
                        return moved ? tracker.highWatermark : nil
                    }
                    if let highWatermark { log.updateHighWatermark(highWatermark) }
                    continue
                }
                becomeLeader(id, log: log, state: state, revision: versioned.modRevision, nowMs: now)
            } else if state.leader != PartitionState.noLeader {
                if case .follower(let leader)? = current?.role, leader == state.leader, current?.leaderEpoch == state.leaderEpoch {
                    roles.withLock { $0[id]?.stateRevision = versioned.modRevision; $0[id]?.state = state }
                    continue
                }
                unfollow(id)
                setRole(id, ReplicaAssignmentState(role: .follower(leader: state.leader), stateRevision: versioned.modRevision, state: state))
                fetcher(for: state.leader).follow(id, log: log, epoch: state.leaderEpoch)
                logger.info("following", metadata: ["partition": "\(id)", "leader": "\(state.leader)", "leaderEpoch": "\(state.leaderEpoch)"])
                // Parked fetches re-check leadership, which changed without touching the log.
                log.wakeWaiters()
            } else {
                unfollow(id)
                setRole(id, ReplicaAssignmentState(role: .offline, stateRevision: versioned.modRevision, state: state))
                log.wakeWaiters()
            }
        }
        // Partitions this broker no longer hosts.
        let gone = roles.withLock { roles in roles.keys.filter { !seen.contains($0) } }
        for id in gone {
            unfollow(id)
            _ = roles.withLock { $0.removeValue(forKey: id) }
            (try? store.topic(id.topic).partition(id.partition))?.wakeWaiters()
        }
        stopIdleFetchers()
    }

    private func setRole(_ id: TopicPartition, _ state: ReplicaAssignmentState) {
        roles.withLock { $0[id] = state }
    }

    private func becomeLeader(_ id: TopicPartition, log: PartitionLog, state: PartitionState, revision: Int64, nowMs: Int64) {
        unfollow(id)
        do {
            if try !log.becomeLeader(epoch: state.leaderEpoch) {
                logger.warning("leader epoch is not newer than the log's", metadata: [
                    "partition": "\(id)", "leaderEpoch": "\(state.leaderEpoch)", "logEpoch": "\(log.leaderEpoch)"])
            }
        } catch {
            // Without its epoch recorded the replica cannot lead safely; it stays offline
            // here and the controller moves leadership when this broker's lease goes.
            logger.error("cannot become leader", metadata: ["partition": "\(id)", "error": "\(error)"])
            setRole(id, ReplicaAssignmentState(role: .offline, stateRevision: revision, state: state))
            return
        }
        var tracker = LeaderReplicaTracker(
            leaderId: nodeId, leaderEpoch: state.leaderEpoch, replicas: state.replicas, isr: state.isr,
            leaderLogEndOffset: log.logEndOffset, highWatermark: log.highWatermark, nowMs: nowMs)
        let moved = tracker.leaderAppended(logEndOffset: log.logEndOffset)
        setRole(id, ReplicaAssignmentState(role: .leader(tracker), stateRevision: revision, state: state))
        if moved { log.updateHighWatermark(tracker.highWatermark) }
        logger.info("leading", metadata: ["partition": "\(id)", "leaderEpoch": "\(state.leaderEpoch)", "isr": "\(state.isr)"])
        log.wakeWaiters()
    }

    private func fetcher(for leader: Int32) -> ReplicaFetcher {
        let (fetcher, created) = fetchers.withLock { fetchers -> (ReplicaFetcher, Bool) in
            if let existing = fetchers[leader] { return (existing, false) }
            let fetcher = ReplicaFetcher(leaderId: leader, context: context)
            fetchers[leader] = fetcher
            return (fetcher, true)
        }
        if created { fetcher.start() }
        return fetcher
    }

    private func unfollow(_ id: TopicPartition) {
        for fetcher in fetchers.withLock({ Array($0.values) }) { fetcher.unfollow(id) }
    }

    private func stopIdleFetchers() {
        let idle = fetchers.withLock { fetchers -> [ReplicaFetcher] in
            let idle = fetchers.values.filter(\.isEmpty)
            for fetcher in idle { fetchers[fetcher.leaderId] = nil }
            return idle
        }
        for fetcher in idle { fetcher.stop() }
    }

    /// Creates locally the topics that have a replica here, and deletes the ones the
    /// cluster deleted since the last view.
    private func syncTopics(_ view: ClusterView) {
        let previous = knownTopics.withLock { known -> Set<String> in
            defer { known = Set(view.topics.keys) }
            return known
        }
        for name in previous.subtracting(view.topics.keys) where (try? store.topic(name)) != nil {
            do {
                try store.deleteTopic(name)
                context.producerStates.forget(topic: name)
                logger.info("deleted topic (cluster)", metadata: ["topic": "\(name)"])
            } catch {
                logger.error("cannot delete topic", metadata: ["topic": "\(name)", "error": "\(error)"])
            }
        }
        for (name, record) in view.topics where record.isAssigned && record.assignment.contains(where: { $0.contains(nodeId) }) {
            if let topic = try? store.topic(name) {
                applyTopicChanges(topic, record: record)
                continue
            }
            do {
                let config = try TopicConfigOverrides(record.configs).logConfig(defaults: defaultTopicConfig, replicated: true)
                let topic = try store.createTopic(name, partitions: record.partitions, config: config)
                for log in topic.partitions { log.enableReplication() }
                logger.info("created topic (cluster)", metadata: ["topic": "\(name)", "partitions": "\(record.partitions)"])
            } catch BasaltError.topicExists {
                continue
            } catch {
                logger.error("cannot create topic", metadata: ["topic": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// Brings a hosted topic in line with its record: more partitions after
    /// CreatePartitions, new settings after AlterConfigs.
    private func applyTopicChanges(_ topic: Topic, record: TopicRecord) {
        let name = topic.name
        do {
            let config = try TopicConfigOverrides(record.configs).logConfig(defaults: defaultTopicConfig, replicated: true)
            if config != topic.config {
                try store.updateTopicConfig(name, config: config)
                logger.info("changed topic settings (cluster)", metadata: ["topic": "\(name)"])
            }
            if record.partitions > topic.partitionCount {
                let grown = try store.addPartitions(to: name, count: record.partitions)
                for log in grown.partitions[Int(topic.partitionCount)...] { log.enableReplication() }
                logger.info("added partitions (cluster)", metadata: ["topic": "\(name)", "partitions": "\(record.partitions)"])
            }
        } catch {
            logger.error("cannot apply topic changes", metadata: ["topic": "\(name)", "error": "\(error)"])
        }
    }

    // MARK: - ISR maintenance

    /// Shrinks the ISR of led partitions by the followers that fell behind for longer than
    /// `replica.lag.time.max.ms` and grows it by those that caught up, each change one
    /// compare-and-swap on the partition's state.
    private func maintainIsr() async {
        guard session.isValid else { return }
        let now = nowMs()
        let led = roles.withLock { roles in
            roles.compactMap { id, state -> (TopicPartition, ReplicaAssignmentState, LeaderReplicaTracker)? in
                guard case .leader(let tracker) = state.role, tracker.proposedIsr == nil else { return nil }
                return (id, state, tracker)
            }
        }
        for (id, assignment, tracker) in led {
            guard let log = try? store.topic(id.topic).partition(id.partition) else { continue }
            let epochStart = log.leaderEpochCache.entries.last(where: { $0.epoch == tracker.leaderEpoch })?.startOffset ?? 0
            let lagging = Set(tracker.laggingFollowers(nowMs: now, lagMaxMs: Int64(configuration.replicaLagTimeMaxMs)))
            let joining = tracker.followersReadyToJoin(epochStartOffset: epochStart)
            guard !lagging.isEmpty || !joining.isEmpty else { continue }
            let isr = [nodeId] + (tracker.isr.filter { $0 != nodeId && !lagging.contains($0) } + joining)
            var next = assignment.state
            next.isr = isr
            guard next.partitionEpoch < Int32.max else { continue }
            next.partitionEpoch += 1
            let proposed = roles.withLock { roles -> Bool in
                guard case .leader(var current)? = roles[id]?.role, current.leaderEpoch == tracker.leaderEpoch,
                      current.proposedIsr == nil else { return false }
                current.proposeIsr(isr)
                roles[id]?.role = .leader(current)
                return true
            }
            guard proposed else { continue }
            let key = keys.partition(id.topic, id.partition)
            var succeeded = false
            do {
                let result = try await client.txn(
                    compare: [.modRevision(of: key, .equal, assignment.stateRevision)],
                    success: [.put(key: key, value: ClusterRecordCodec.encode(next), leaseID: 0)])
                succeeded = result.succeeded
                logger.info(succeeded ? "ISR changed" : "ISR change refused (state moved)", metadata: [
                    "partition": "\(id)", "isr": "\(isr)", "lagging": "\(lagging.sorted())", "joining": "\(joining)"])
            } catch {
                logger.warning("cannot change ISR", metadata: ["partition": "\(id)", "error": "\(error)"])
            }
            let highWatermark = roles.withLock { roles -> Int64? in
                guard case .leader(var current)? = roles[id]?.role, current.leaderEpoch == tracker.leaderEpoch else { return nil }
                var moved = succeeded ? current.confirmIsr(isr) : current.abandonProposedIsr()
                if succeeded {
                    roles[id]?.state = next
                } else if let latest = roles[id]?.state, latest.leaderEpoch == current.leaderEpoch, latest.isr != current.isr {
                    // The controller changed the ISR meanwhile (the view skipped it while our
                    // proposal was pending): take etcd's, or a dead member would hold the high
                    // watermark until it is found lagging again.
                    moved = current.confirmIsr(latest.isr) || moved
                }
                roles[id]?.role = .leader(current)
                return moved ? current.highWatermark : nil
            }
            if let highWatermark { log.updateHighWatermark(highWatermark) }
        }
    }

    // MARK: - What request handlers ask

    /// Whether this broker leads `id`, checked against the epoch a request carries (−1 for
    /// none). Kafka's codes: NOT_LEADER_OR_FOLLOWER when another broker leads, FENCED_LEADER_EPOCH
    /// for an older epoch, UNKNOWN_LEADER_EPOCH for a newer one.
    func leaderCheck(_ id: TopicPartition, requestEpoch: Int32 = -1) -> LeaderCheck {
        guard let assignment = roles.withLock({ $0[id] }) else { return .refused(.notLeaderOrFollower) }
        if requestEpoch >= 0, requestEpoch != assignment.leaderEpoch {
            return .refused(requestEpoch < assignment.leaderEpoch ? .fencedLeaderEpoch : .unknownLeaderEpoch)
        }
        guard case .leader(let tracker) = assignment.role, mayLead(tracker, nowMs: nowMs()) else {
            return .refused(.notLeaderOrFollower)
        }
        return .leader(epoch: assignment.leaderEpoch, inSyncReplicas: tracker.isr.count)
    }

    /// Records a follower's fetch at `fetchOffset` and moves the high watermark when it can.
    /// Returns the code for the follower: it must be a replica of a partition led here, in
    /// the epoch it names.
    func followerFetched(_ id: TopicPartition, replica: Int32, fetchOffset: Int64, requestEpoch: Int32, log: PartitionLog) -> KafkaErrorCode {
        let now = nowMs()
        let (code, highWatermark) = roles.withLock { roles -> (KafkaErrorCode, Int64?) in
            guard let assignment = roles[id] else { return (.notLeaderOrFollower, nil) }
            if requestEpoch >= 0, requestEpoch != assignment.leaderEpoch {
                return (requestEpoch < assignment.leaderEpoch ? .fencedLeaderEpoch : .unknownLeaderEpoch, nil)
            }
            guard case .leader(var tracker) = assignment.role, mayLead(tracker, nowMs: now) else { return (.notLeaderOrFollower, nil) }
            guard assignment.replicas.contains(replica), replica != nodeId else { return (.notLeaderOrFollower, nil) }
            _ = tracker.leaderAppended(logEndOffset: log.logEndOffset)
            let moved = tracker.followerFetched(replica: replica, fetchOffset: fetchOffset, nowMs: now)
            roles[id]?.role = .leader(tracker)
            return (.noError, moved ? tracker.highWatermark : nil)
        }
        if let highWatermark { log.updateHighWatermark(highWatermark) }
        return code
    }

    /// Tells the tracker the leader's log grew (an acks≠0 produce appended).
    func leaderAppended(_ id: TopicPartition, log: PartitionLog) {
        let highWatermark = roles.withLock { roles -> Int64? in
            guard case .leader(var tracker)? = roles[id]?.role else { return nil }
            let moved = tracker.leaderAppended(logEndOffset: log.logEndOffset)
            roles[id]?.role = .leader(tracker)
            return moved ? tracker.highWatermark : nil
        }
        if let highWatermark { log.updateHighWatermark(highWatermark) }
    }

    /// Waits until every ISR member has `lastOffset` (the high watermark passed it), then
    /// says whether the ISR still meets `minInSyncReplicas`. Gives up with
    /// NOT_LEADER_OR_FOLLOWER as soon as this broker no longer leads in `epoch`, and with
    /// REQUEST_TIMED_OUT at `timeout`.
    func awaitCommit(_ id: TopicPartition, log: PartitionLog, lastOffset: Int64, epoch: Int32,
                     minInSyncReplicas: Int, timeout: Duration) async -> KafkaErrorCode {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard case .leader(let tracker)? = roles.withLock({ $0[id]?.role }), tracker.leaderEpoch == epoch,
                  mayLead(tracker, nowMs: nowMs()) else {
                return .notLeaderOrFollower
            }
            switch tracker.acknowledgement(lastOffset: lastOffset, minInSyncReplicas: minInSyncReplicas) {
            case .committed: return .noError
            case .committedBelowMinimumIsr: return .notEnoughReplicasAfterAppend
            case .waiting: break
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return .requestTimedOut }
            // Woken when the high watermark moves; the bound re-checks leadership, which
            // changes without touching the log.
            _ = await log.waitForData(after: lastOffset, timeout: min(remaining, .milliseconds(100)))
        }
    }

    /// Whether this broker may go on leading the partition `tracker` follows.
    ///
    /// With a valid session, yes: etcd names it leader. Without one (its lease lapsed:
    /// etcd unreachable from here, or this process was frozen), another broker may already
    /// have been made leader, but only an in-sync replica can be (elections are clean). So it
    /// leads on only while that cannot have happened: the ISR is itself alone, or every
    /// other ISR member fetched from it within the last ``contactWindowMs`` (a replica
    /// elected leader stops fetching at once). An etcd outage that every broker sees thus
    /// leaves produce and fetch running, while a leader cut off from its followers stops.
    func mayLead(_ tracker: LeaderReplicaTracker, nowMs: Int64) -> Bool {
        if session.isValid { return true }
        return tracker.isr.allSatisfy { replica in
            replica == nodeId || (tracker.followers[replica].map { nowMs - $0.lastFetchTimeMs <= contactWindowMs } ?? false)
        }
    }

    /// How recently every other ISR member must have fetched for a leader without a lease
    /// to go on leading: two follower long-polls and a little.
    private var contactWindowMs: Int64 { Int64(2 * configuration.replicaFetchWaitMaxMs + 500) }

    /// Whether this broker, without a valid session, leads nothing it may still lead: it is
    /// most likely cut off, and its view of the cluster cannot be trusted.
    var isCutOff: Bool {
        guard !session.isValid else { return false }
        let now = nowMs()
        return !roles.withLock { roles in
            roles.values.contains { assignment in
                guard case .leader(let tracker) = assignment.role else { return false }
                return mayLead(tracker, nowMs: now)
            }
        }
    }

    /// The partition state this broker last applied for `id`.
    func assignment(_ id: TopicPartition) -> ReplicaAssignmentState? {
        roles.withLock { $0[id] }
    }

    private func nowMs() -> Int64 {
        let elapsed = ContinuousClock.now - started
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}

/// What a request handler learns about leadership of a partition.
enum LeaderCheck: Equatable {
    case leader(epoch: Int32, inSyncReplicas: Int)
    case refused(KafkaErrorCode)
}
