/// A partition leader's view of its followers: their log end offsets, whether each is in
/// sync, and the high watermark that follows from them (kafka-compat.md §5).
///
/// A value type driven by explicit times, so every rule here can be checked with a manual
/// clock. The broker's partition owner holds one while it leads and feeds it each follower
/// fetch, each local append and each ISR change confirmed in etcd.
///
/// The rules, as Kafka's `Partition` applies them:
/// - A fetch at offset ≥ the leader's log end marks the follower caught up now; a fetch at
///   offset ≥ the leader's log end at its previous fetch marks it caught up as of that
///   previous fetch. A follower not caught up for `replica.lag.time.max.ms` is lagging.
/// - The high watermark is the lowest log end offset over the ISR (the leader's own
///   included) and never moves back. While an ISR change is proposed but not confirmed, the
///   union of the old and new ISR counts, so a change that etcd refuses can never have let
///   the high watermark pass a replica that is still in sync.
/// - A follower outside the ISR may join once its log end offset reaches the high watermark
///   and the start of the leader's current epoch.
public struct LeaderReplicaTracker: Sendable, Equatable {
    /// This broker's node id.
    public let leaderId: Int32
    /// The leader epoch this broker leads in.
    public let leaderEpoch: Int32
    /// The assigned replicas.
    public let replicas: [Int32]
    /// The ISR confirmed in etcd.
    public private(set) var isr: [Int32]
    /// An ISR written to etcd and not yet confirmed, if any.
    public private(set) var proposedIsr: [Int32]?
    /// The high watermark: every offset below it is on every ISR member.
    public private(set) var highWatermark: Int64
    /// The leader's own log end offset as last reported.
    public private(set) var leaderLogEndOffset: Int64
    /// Per follower (every replica but the leader).
    public private(set) var followers: [Int32: FollowerProgress]

    /// Starts tracking after this broker became leader at `leaderEpoch`.
    ///
    /// - Parameters:
    ///   - highWatermark: the checkpointed or inherited high watermark; clamped to the log end.
    public init(
        leaderId: Int32, leaderEpoch: Int32, replicas: [Int32], isr: [Int32],
        leaderLogEndOffset: Int64, highWatermark: Int64, nowMs: Int64
    ) {
        self.leaderId = leaderId
        self.leaderEpoch = leaderEpoch
        self.replicas = replicas
        self.isr = isr
        self.proposedIsr = nil
        self.leaderLogEndOffset = leaderLogEndOffset
        self.highWatermark = max(0, min(highWatermark, leaderLogEndOffset))
        var followers: [Int32: FollowerProgress] = [:]
        for replica in replicas where replica != leaderId {
            followers[replica] = FollowerProgress(nowMs: nowMs)
        }
        self.followers = followers
    }

    /// The replicas whose log end offsets bound the high watermark: the confirmed ISR, the
    /// proposed one, and the leader.
    public var maximalIsr: Set<Int32> {
        Set(isr).union(proposedIsr ?? []).union([leaderId])
    }

    /// Records a local append (or truncation of an unacknowledged tail never happens on a
    /// leader). Returns whether the high watermark moved.
    public mutating func leaderAppended(logEndOffset: Int64) -> Bool {
        leaderLogEndOffset = logEndOffset
        return advanceHighWatermark()
    }

    /// Records a fetch from `replica` at `fetchOffset` (its log end offset) at `nowMs`.
    /// Fetches from replicas that are not followers of this partition are ignored.
    ///
    /// - Returns: whether the high watermark moved.
    public mutating func followerFetched(replica: Int32, fetchOffset: Int64, nowMs: Int64) -> Bool {
        guard var progress = followers[replica] else { return false }
        if fetchOffset >= leaderLogEndOffset {
            progress.lastCaughtUpTimeMs = max(progress.lastCaughtUpTimeMs, nowMs)
        } else if fetchOffset >= progress.leaderLogEndOffsetAtLastFetch, progress.leaderLogEndOffsetAtLastFetch >= 0 {
            progress.lastCaughtUpTimeMs = max(progress.lastCaughtUpTimeMs, progress.lastFetchTimeMs)
        }
        progress.logEndOffset = min(fetchOffset, leaderLogEndOffset)
        progress.leaderLogEndOffsetAtLastFetch = leaderLogEndOffset
        progress.lastFetchTimeMs = nowMs
        followers[replica] = progress
        return advanceHighWatermark()
    }

    /// ISR members (not the leader) that have not caught up for more than `lagMaxMs`.
    public func laggingFollowers(nowMs: Int64, lagMaxMs: Int64) -> [Int32] {
        isr.filter { replica in
            guard replica != leaderId, let progress = followers[replica] else { return false }
            return nowMs - progress.lastCaughtUpTimeMs > lagMaxMs
        }
    }

    /// Followers outside the ISR that may join it: their log end offset has reached the high
    /// watermark and `epochStartOffset`, the first offset of this leader's epoch.
    public func followersReadyToJoin(epochStartOffset: Int64) -> [Int32] {
        replicas.filter { replica in
            guard replica != leaderId, !isr.contains(replica), let progress = followers[replica] else { return false }
            return progress.logEndOffset >= highWatermark && progress.logEndOffset >= epochStartOffset
        }
    }

    /// Notes that `isr` has been written to etcd and awaits confirmation.
    public mutating func proposeIsr(_ isr: [Int32]) {
        proposedIsr = isr
    }

    /// Applies the ISR etcd holds now (a confirmed proposal, or a change the controller
    /// made). Returns whether the high watermark moved.
    public mutating func confirmIsr(_ isr: [Int32]) -> Bool {
        self.isr = isr
        proposedIsr = nil
        return advanceHighWatermark()
    }

    /// Drops a proposal etcd refused. Returns whether the high watermark moved: a refused
    /// expansion no longer holds it back.
    public mutating func abandonProposedIsr() -> Bool {
        proposedIsr = nil
        return advanceHighWatermark()
    }

    /// What an acks=all produce whose last record is at `lastOffset` can answer now.
    public func acknowledgement(lastOffset: Int64, minInSyncReplicas: Int) -> AcknowledgementStatus {
        if highWatermark > lastOffset {
            // Kafka answers NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below the
            // minimum while the produce waited, even though the record is committed.
            return isr.count >= minInSyncReplicas ? .committed : .committedBelowMinimumIsr
        }
        return .waiting
    }

    private mutating func advanceHighWatermark() -> Bool {
        var candidate = leaderLogEndOffset
        for replica in maximalIsr where replica != leaderId {
            // A member not heard from since this broker became leader holds it back.
            let offset = followers[replica]?.logEndOffset ?? -1
            candidate = min(candidate, offset)
        }
        guard candidate > highWatermark else { return false }
        highWatermark = candidate
        return true
    }
}

/// Whether an acks=all produce can be answered.
public enum AcknowledgementStatus: Sendable, Equatable {
    /// Every ISR member has the records and the ISR meets `min.insync.replicas`.
    case committed
    /// The records are on every ISR member, but the ISR is now smaller than
    /// `min.insync.replicas` (NOT_ENOUGH_REPLICAS_AFTER_APPEND).
    case committedBelowMinimumIsr
    /// Some ISR member does not have them yet.
    case waiting
}
