import Dispatch
import Synchronization

/// Runs every `fdatasync` of the logs that share it on one serial queue, and lets
/// concurrent appenders share them (group commit).
///
/// An appender under ``Durability/everyAppend`` writes its batch, then calls
/// ``sync(_:)``. While a sync is running, new requests queue up; when it finishes, the
/// next round syncs each waiting log once and releases all its waiters. So N concurrent
/// appenders cost about one `fdatasync` per round instead of N, and no appender waits
/// for more than the sync in progress plus its own.
public final class Flusher: Sendable {
    private struct Pending {
        let log: PartitionLog
        var waiters: [Waiter]
    }

    private struct Waiter {
        let continuation: CheckedContinuation<Void, any Error>
        /// The log end offset right after the waiter's append.
        let endOffset: Int64
        /// The log's rollback epoch when it appended.
        let epoch: UInt64
    }

    private struct State {
        var pending: [ObjectIdentifier: Pending] = [:]
        var running = false
        /// While the drain waits for a round to fill, how many waiters it waits for.
        var awaitedWaiters = 0
        var queuedWaiters: Int { pending.values.reduce(0) { $0 + $1.waiters.count } }
    }

    /// How long a round may wait for the appenders the previous round released.
    private static let roundFillNanoseconds: UInt64 = 100_000
    private let roundFilled = DispatchSemaphore(value: 0)

    private let queue: DispatchQueue
    private let state = Mutex(State())

    /// Creates a flusher with its own serial queue.
    public init(label: String = "basalt.flusher") {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Returns once `log` is durable up to `endOffset`, which it reached in rollback
    /// `epoch`. Throws the sync's error; an append that a failed sync rolled back throws
    /// ``BasaltError/flushFailed(path:errno:)`` even if later appends reuse its offsets.
    func sync(_ log: PartitionLog, endOffset: Int64, epoch: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = state.withLock { state in
                state.pending[ObjectIdentifier(log), default: Pending(log: log, waiters: [])].waiters.append(
                    Waiter(continuation: continuation, endOffset: endOffset, epoch: epoch))
                if state.running {
                    if state.awaitedWaiters > 0 && state.queuedWaiters >= state.awaitedWaiters {
                        state.awaitedWaiters = 0
                        roundFilled.signal()
                    }
                    return false
                }
                state.running = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
    }

    /// Syncs `log` once, `milliseconds` from now: the ``Durability/interval(milliseconds:)`` policy.
    func schedule(_ log: PartitionLog, afterMilliseconds milliseconds: Int) {
        queue.asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
            log.flushScheduled()
        }
    }

    private func drain() {
        var releasedLastRound = 0
        while true {
            // The appenders the last round released append again within microseconds;
            // waiting for them (briefly) lets one fdatasync cover all of them instead of
            // alternating between nearly empty and full rounds.
            if releasedLastRound > 1 {
                let wait = state.withLock { state -> Bool in
                    guard state.queuedWaiters < releasedLastRound else { return false }
                    state.awaitedWaiters = releasedLastRound
                    return true
                }
                if wait {
                    _ = roundFilled.wait(timeout: .now() + .nanoseconds(Int(Self.roundFillNanoseconds)))
                    state.withLock { $0.awaitedWaiters = 0 }
                    // A signal that raced the timeout must not cut the next wait short.
                    while roundFilled.wait(timeout: .now()) == .success {}
                }
            }
            let round: [Pending]? = state.withLock { state in
                if state.pending.isEmpty {
                    state.running = false
                    return nil
                }
                let round = Array(state.pending.values)
                state.pending.removeAll(keepingCapacity: true)
                return round
            }
            guard let round else { return }
            releasedLastRound = round.reduce(0) { $0 + $1.waiters.count }
            for pending in round {
                do {
                    try pending.log.syncForWaiters()
                    for waiter in pending.waiters {
                        if let failure = pending.log.durabilityFailure(endOffset: waiter.endOffset, epoch: waiter.epoch) {
                            waiter.continuation.resume(throwing: failure)
                        } else {
                            waiter.continuation.resume()
                        }
                    }
                } catch {
                    for waiter in pending.waiters { waiter.continuation.resume(throwing: error) }
                }
            }
        }
    }
}
