import Synchronization

/// Wakes tasks waiting for a log to change, without polling.
///
/// A waiter registers with a condition that is checked under the signal's lock, so an
/// append that lands between the caller's own check and its registration still wakes
/// it. A timeout resumes the waiter if nothing arrives first.
///
/// A ``PartitionLog`` notifies on every change a parked fetch may wait for, once the
/// change is readable: an append as leader or as follower (after its `fdatasync` under
/// ``Durability/everyAppend``, right after the write otherwise), a high watermark that
/// moves (``PartitionLog/updateHighWatermark(_:)``, ``PartitionLog/enableReplication()``),
/// a truncation (``PartitionLog/truncate(to:)``, ``PartitionLog/truncateFullyAndStartAt(_:)``),
/// and close. Waiters re-check their condition, so a spurious wake costs one check. The
/// partitions of a topic opened through a ``Store`` share one signal.
final class DataSignal: Sendable {
    private struct State {
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Waits until `ready()` is true or `timeout` passes. Returns `ready()` at the end.
    func wait(timeout: Duration, until ready: @Sendable () -> Bool) async -> Bool {
        if ready() { return true }
        let deadline = ContinuousClock.now + timeout
        while !ready() {
            if ContinuousClock.now >= deadline { return false }
            let id: UInt64 = state.withLock { state in
                state.nextID += 1
                return state.nextID
            }
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                self.resume(id)
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    // Checked under the lock the timer also takes: either the timer finds
                    // this waiter registered, or the deadline has passed here.
                    if ready() || ContinuousClock.now >= deadline { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            timer.cancel()
        }
        return true
    }

    /// How many waiters are parked now (tests use it to know a waiter is parked before
    /// they make the change that must wake it).
    var parkedWaiters: Int { state.withLock { $0.waiters.count } }

    /// Wakes every waiter; each re-checks its condition.
    func notifyAll() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters.removeAll(keepingCapacity: true) }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    private func resume(_ id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume()
    }
}
