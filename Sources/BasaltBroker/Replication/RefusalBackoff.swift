/// How long a follower leaves one partition alone after its log refused the leader's batches
/// (a gap or an overlap) and truncating did not resolve it.
///
/// The first refusal is fetched again at once: one OffsetForLeaderEpoch round normally finds
/// where the histories part. A partition refused again without a successful append in
/// between waits 50 ms, then twice as long each time, up to `replica.fetch.backoff.ms`
/// (Kafka's fetcher delays an erroring partition by the same setting). Without it a refusal
/// that truncation cannot cure (a damaged leader, a history our checks reject) would loop
/// Fetch and OffsetForLeaderEpoch thousands of times a second on one core.
///
/// It also rations the "replica batch refused" warning: the first refusal, then at most one
/// per ``warningInterval``, carrying how many refusals it stands for.
struct RefusalBackoff: Sendable {
    /// Delay after the second refusal in a row; each further one doubles it.
    static let firstDelay = Duration.milliseconds(50)
    /// Least time between two warnings about the same partition.
    static let warningInterval = Duration.seconds(10)

    /// Refusals since the last successful append.
    private(set) var refusals = 0
    /// The partition is neither truncated nor fetched before this.
    private(set) var delayedUntil: ContinuousClock.Instant?
    /// Refusals since the last warning was logged.
    private var unlogged = 0
    private var lastWarning: ContinuousClock.Instant?

    /// Whether the partition may be fetched at `now`.
    func isDue(at now: ContinuousClock.Instant) -> Bool {
        delayedUntil.map { $0 <= now } ?? true
    }

    /// The delay after `refusals` refusals in a row, at most `maxDelay`.
    static func delay(afterRefusals refusals: Int, maxDelay: Duration) -> Duration {
        guard refusals >= 2 else { return .zero }
        // 50 ms × 2^20 is far past any sane cap: stop doubling there so nothing overflows.
        let doubled = firstDelay * (1 << min(refusals - 2, 20))
        return max(.zero, min(doubled, maxDelay))
    }

    /// Counts a refusal at `now` and delays the partition.
    ///
    /// - Returns: the number of refusals to report when a warning is due, else `nil`.
    mutating func refused(at now: ContinuousClock.Instant, maxDelay: Duration) -> Int? {
        refusals += 1
        unlogged += 1
        let delay = Self.delay(afterRefusals: refusals, maxDelay: maxDelay)
        delayedUntil = delay > .zero ? now + delay : nil
        guard lastWarning.map({ now - $0 >= Self.warningInterval }) ?? true else { return nil }
        lastWarning = now
        defer { unlogged = 0 }
        return unlogged
    }

    /// A batch was appended: the refusal is resolved, fetch at full speed again. The warning
    /// ration stays, so a partition that keeps flapping cannot flood the log either.
    mutating func appended() {
        refusals = 0
        delayedUntil = nil
    }
}
