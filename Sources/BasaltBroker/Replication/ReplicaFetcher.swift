import Basalt
import BasaltKafka
import Logging
import NIOCore
import Synchronization

/// Copies the partitions this broker follows from one leader broker: one connection, one
/// Fetch at a time carrying all of them, as Kafka's replica fetcher thread does.
///
/// Before fetching a partition whose leader changed, it asks the leader where their
/// histories part (OffsetForLeaderEpoch) and truncates the local log there, so a replica
/// that led before and wrote records nobody else got drops them before copying the
/// leader's. Batches are appended unchanged (``PartitionLog/appendAsFollower(_:)``), and
/// the local high watermark follows the leader's.
final class ReplicaFetcher: Sendable {
    /// What the fetcher knows of one partition it follows.
    struct Followed: Sendable {
        let log: PartitionLog
        var leaderEpoch: Int32
        var needsTruncation: Bool
        /// Delays the partition while the local log keeps refusing the leader's batches.
        var backoff = RefusalBackoff()
    }

    let leaderId: Int32
    private let context: ReplicaContext
    private let partitions = Mutex<[TopicPartition: Followed]>([:])
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let changed = WakeSignal()
    /// When the last "refused by the leader's ACLs" warning was logged (one per 10 s at most).
    private let lastAuthorizationWarning = Mutex<ContinuousClock.Instant?>(nil)

    init(leaderId: Int32, context: ReplicaContext) {
        self.leaderId = leaderId
        self.context = context
    }

    var isEmpty: Bool { partitions.withLock { $0.isEmpty } }

    /// Starts following `partition` from this leader in `epoch` (after truncating).
    func follow(_ partition: TopicPartition, log: PartitionLog, epoch: Int32) {
        partitions.withLock { $0[partition] = Followed(log: log, leaderEpoch: epoch, needsTruncation: true) }
        changed.notify()
    }

    /// Stops following `partition`.
    func unfollow(_ partition: TopicPartition) {
        partitions.withLock { $0[partition] = nil }
        changed.notify()
    }

    func start() {
        let task = Task { [weak self] in
            guard let self else { return }
            await self.run()
        }
        self.task.withLock { $0 = task }
    }

    func stop() {
        task.withLock { $0?.cancel() }
        changed.notify()
    }

    private func run() async {
        var connection: PeerConnection?
        var backoff = Duration.milliseconds(50)
        defer { connection?.close() }
        while !Task.isCancelled {
            let followed = partitions.withLock { $0 }
            if followed.isEmpty {
                await changed.wait(timeout: .seconds(1))
                continue
            }
            let now = ContinuousClock.now
            let due = followed.filter { $0.value.backoff.isDue(at: now) }
            if due.isEmpty {
                // Every partition waits out a refusal backoff: sleep until the first is due,
                // or until the metadata moves one (a new epoch starts without a delay).
                let earliest = followed.values.compactMap(\.backoff.delayedUntil).min() ?? now
                await changed.wait(timeout: max(earliest - now, .milliseconds(1)))
                continue
            }
            do {
                if connection == nil || connection?.isActive == false {
                    connection?.close()
                    connection = try await connect()
                }
                guard let peer = connection else { continue }
                let truncating = due.filter(\.value.needsTruncation)
                context.logger.trace("replica fetcher round", metadata: [
                    "leader": "\(leaderId)", "partitions": "\(due.count)", "delayed": "\(followed.count - due.count)",
                    "truncating": "\(truncating.count)"])
                if !truncating.isEmpty {
                    if try await !truncate(truncating, over: peer) {
                        await changed.wait(timeout: .milliseconds(100))
                    }
                    continue
                }
                let refused = try await fetch(due, over: peer)
                backoff = .milliseconds(50)
                if refused {
                    // The leader refused every partition (it has not taken up the new epoch
                    // yet, or no longer leads): ask again shortly, or when the metadata moves.
                    await changed.wait(timeout: .milliseconds(100))
                }
            } catch {
                if Task.isCancelled { return }
                context.logger.info("replica fetch from node \(leaderId) failed", metadata: ["error": "\(error)"])
                connection?.close()
                connection = nil
                // Back off before reconnecting to a leader that is down or being replaced;
                // a metadata change that moves the partitions ends the wait early.
                await changed.wait(timeout: backoff)
                backoff = min(backoff * 2, .seconds(1))
            }
        }
    }

    private func connect() async throws -> PeerConnection {
        guard let address = context.metadata.view.brokers[leaderId] else {
            throw PeerConnectionError.connectFailed(peer: "node \(leaderId)", reason: "not registered")
        }
        return try await PeerConnection.connect(
            host: address.host, port: address.port, group: context.eventLoopGroup,
            clientId: "basalt-replica-\(context.nodeId)",
            maxResponseBytes: context.maxResponseBytes, timeout: .seconds(2), security: context.peerSecurity)
    }

    /// Asks the leader where each partition's latest epoch ends there and truncates to it.
    /// Returns false when the leader refused every partition.
    private func truncate(_ truncating: [TopicPartition: Followed], over peer: PeerConnection) async throws -> Bool {
        var byTopic: [String: [OffsetForLeaderEpochRequest.Partition]] = [:]
        var untouched: [TopicPartition] = []
        for (id, followed) in truncating {
            guard let latest = followed.log.leaderEpochCache.latestEpoch else {
                // No epochs here: nothing was ever written under one, so nothing diverges.
                untouched.append(id)
                continue
            }
            byTopic[id.topic, default: []].append(
                .init(partition: id.partition, currentLeaderEpoch: followed.leaderEpoch, leaderEpoch: latest))
        }
        for id in untouched { markTruncated(id, epoch: truncating[id]?.leaderEpoch) }
        guard !byTopic.isEmpty else { return true }
        var answered = !untouched.isEmpty
        let request = OffsetForLeaderEpochRequest(
            replicaId: context.nodeId, topics: byTopic.map { .init(topic: $0.key, partitions: $0.value) })
        let response = try await peer.send(.offsetForLeaderEpoch(request), version: 3, timeout: .seconds(5))
        guard case .offsetForLeaderEpoch(let body) = response else {
            throw PeerConnectionError.malformedResponse(peer: peer.peer, reason: "not an OffsetForLeaderEpoch response")
        }
        for topic in body.topics {
            for answer in topic.partitions {
                let id = TopicPartition(topic: topic.topic, partition: answer.partition)
                guard let followed = truncating[id] else { continue }
                guard answer.errorCode == .noError else {
                    context.logger.info("leader refused OffsetForLeaderEpoch", metadata: [
                        "partition": "\(id)", "error": "\(answer.errorCode)"])
                    continue
                }
                answered = true
                let log = followed.log
                let target: Int64
                if answer.endOffset < 0 {
                    // The leader knows no epoch this old: keep what is committed.
                    target = log.highWatermark
                } else {
                    // The leader's epoch may be older than ours: our history of that epoch
                    // may also end earlier than the leader's (KIP-279).
                    let ownEnd = log.endOffset(forLeaderEpoch: answer.leaderEpoch).endOffset
                    target = min(answer.endOffset, ownEnd < 0 ? answer.endOffset : ownEnd)
                }
                if target < log.logEndOffset {
                    let end = try log.truncate(to: max(target, log.logStartOffset))
                    context.producerStates.forget(partition: id)
                    context.logger.warning("truncated divergent tail", metadata: [
                        "partition": "\(id)", "newEnd": "\(end)", "leaderEpoch": "\(answer.leaderEpoch)"])
                }
                markTruncated(id, epoch: followed.leaderEpoch)
            }
        }
        return answered
    }

    private func markTruncated(_ id: TopicPartition, epoch: Int32?) {
        partitions.withLock { partitions in
            // Only if the partition was not re-followed in a newer epoch meanwhile.
            if partitions[id]?.leaderEpoch == epoch { partitions[id]?.needsTruncation = false }
        }
    }

    /// One Fetch for every followed partition. Returns true when the leader refused them all.
    private func fetch(_ followed: [TopicPartition: Followed], over peer: PeerConnection) async throws -> Bool {
        var byTopic: [String: [FetchRequest.Partition]] = [:]
        for (id, partition) in followed {
            byTopic[id.topic, default: []].append(.init(
                partition: id.partition, currentLeaderEpoch: partition.leaderEpoch, fetchOffset: partition.log.logEndOffset,
                logStartOffset: partition.log.logStartOffset, partitionMaxBytes: Int32(clamping: context.fetchMaxBytesPerPartition)))
        }
        let request = FetchRequest(
            replicaId: context.nodeId, maxWaitMs: Int32(clamping: context.fetchWaitMaxMs), minBytes: 1,
            maxBytes: Int32(clamping: context.maxResponseBytes - (1 << 20)),
            topics: byTopic.map { .init(topic: $0.key, partitions: $0.value) })
        let timeout = Duration.milliseconds(context.fetchWaitMaxMs) + .seconds(5)
        let response = try await peer.send(.fetch(request), version: 11, timeout: timeout)
        guard case .fetch(let body) = response else {
            throw PeerConnectionError.malformedResponse(peer: peer.peer, reason: "not a Fetch response")
        }
        guard body.errorCode == .noError else {
            throw PeerConnectionError.malformedResponse(peer: peer.peer, reason: "fetch failed with \(body.errorCode)")
        }
        var refusals = 0
        var answers = 0
        for topic in body.responses {
            for answer in topic.partitions {
                answers += 1
                let id = TopicPartition(topic: topic.topic, partition: answer.partitionIndex)
                // Still followed from this leader in the same epoch? Otherwise drop the answer.
                guard let current = partitions.withLock({ $0[id] }), let sent = followed[id],
                      current.leaderEpoch == sent.leaderEpoch, !current.needsTruncation else { continue }
                if answer.errorCode == .topicAuthorizationFailed { warnRefusedByAcls(id) }
                if answer.errorCode != .noError, answer.errorCode != .offsetOutOfRange {
                    refusals += 1
                    context.logger.debug("leader refused a follower fetch", metadata: [
                        "partition": "\(id)", "error": "\(answer.errorCode)"])
                }
                try await apply(answer, to: id, log: current.log, epoch: current.leaderEpoch)
            }
        }
        return answers > 0 && refusals == answers
    }

    /// Logs that the leader's ACLs refuse this broker's fetches (it then drops out of the ISR):
    /// an operator must allow the inter-broker principal ClusterAction on the cluster.
    private func warnRefusedByAcls(_ id: TopicPartition) {
        let now = ContinuousClock.now
        let due = lastAuthorizationWarning.withLock { last -> Bool in
            guard last.map({ now - $0 >= .seconds(10) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        context.logger.warning("the leader's ACLs refuse this follower's fetches: allow its principal ClusterAction on the cluster",
                               metadata: ["leader": "\(leaderId)", "partition": "\(id)"])
    }

    private func apply(_ answer: FetchResponse.Partition, to id: TopicPartition, log: PartitionLog, epoch: Int32) async throws {
        switch answer.errorCode {
        case .noError:
            break
        case .offsetOutOfRange:
            if log.logEndOffset < answer.logStartOffset, answer.logStartOffset >= 0 {
                // Retention at the leader passed our end: start over at its log start.
                try log.truncateFullyAndStartAt(answer.logStartOffset)
                context.producerStates.forget(partition: id)
            } else {
                partitions.withLock { $0[id]?.needsTruncation = true }
            }
            return
        default:
            // FENCED_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH...: the
            // metadata will move this partition; until then, nothing to copy.
            return
        }
        if let records = answer.records, records.readableBytes > 0 {
            let bytes = Array(records.readableBytesView)
            do {
                let result = try await log.appendAsFollower(bytes)
                if result.lastOffset >= result.firstOffset {
                    partitions.withLock { if $0[id]?.leaderEpoch == epoch { $0[id]?.backoff.appended() } }
                }
                if !result.headers.isEmpty {
                    let table = try context.producerStates.table(for: id, log: log)
                    for header in result.headers { table.apply(header) }
                }
            } catch let error as ReplicationError {
                // A gap or overlap means our end moved under us (truncated elsewhere) or the
                // leader changed its history: find the divergence again, after a backoff
                // when the last truncation did not resolve it.
                let now = ContinuousClock.now
                let maxDelay = Duration.milliseconds(context.fetchBackoffMs)
                let report = partitions.withLock { partitions -> (count: Int?, refusals: Int)? in
                    guard partitions[id]?.leaderEpoch == epoch else { return nil }
                    partitions[id]?.needsTruncation = true
                    let count = partitions[id]?.backoff.refused(at: now, maxDelay: maxDelay)
                    return (count, partitions[id]?.backoff.refusals ?? 0)
                }
                if let report, let count = report.count {
                    context.logger.warning("replica batch refused", metadata: [
                        "partition": "\(id)", "error": "\(error)",
                        // Refusals since the last warning, and since the last successful append.
                        "refusals": "\(count)", "inARow": "\(report.refusals)"])
                }
                return
            }
        }
        // A follower's high watermark is the leader's, up to what it has itself.
        log.updateHighWatermark(min(answer.highWatermark, log.logEndOffset))
        // DeleteRecords (or retention) at the leader raised its log start: follow it, as
        // Kafka's followers do, up to our own high watermark (never past what we hold).
        let leaderStart = min(answer.logStartOffset, log.highWatermark)
        if leaderStart > log.logStartOffset {
            do {
                try log.deleteRecords(before: leaderStart)
            } catch {
                context.logger.warning("cannot follow the leader's log start offset", metadata: [
                    "partition": "\(id)", "offset": "\(leaderStart)", "error": "\(error)"])
            }
        }
    }
}
