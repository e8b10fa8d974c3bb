/// What a partition leader knows of one follower, learned from the follower's fetches.
public struct FollowerProgress: Sendable, Equatable {
    /// The follower's log end offset: the offset it fetched from last; −1 until its first
    /// fetch since this broker became leader.
    public var logEndOffset: Int64
    /// When the follower was last known to have every record the leader had (ms).
    public var lastCaughtUpTimeMs: Int64
    /// The leader's log end offset at the follower's previous fetch.
    var leaderLogEndOffsetAtLastFetch: Int64
    /// When the follower's previous fetch arrived (ms); far in the past before the first.
    var lastFetchTimeMs: Int64

    /// A follower not heard from yet, treated as caught up at `nowMs` so it has
    /// `replica.lag.time.max.ms` to make its first fetch before it leaves the ISR.
    init(nowMs: Int64) {
        logEndOffset = -1
        lastCaughtUpTimeMs = nowMs
        leaderLogEndOffsetAtLastFetch = -1
        lastFetchTimeMs = Int64.min / 2
    }
}
