import Synchronization

/// Wakes tasks waiting for partition logs to change, without polling: Basalt's one
/// waiter mechanism. ``PartitionLog/waitForData(after:timeout:isolation:)``,
/// ``Consumer/poll(maxRecords:timeout:)`` and a broker's parked Fetch all wait here.
///
/// A ``Store`` owns one signal, shared by all its partitions (``Store/signal``); a
/// ``PartitionLog`` opened on its own has its own (``PartitionLog/signal``).
///
/// A log reports a change on everything a waiter may wait for, once the change is
/// readable: an append as leader or as follower (after its `fdatasync` under
/// ``Durability/everyAppend``, right after the write otherwise), a high watermark that
/// moves (``PartitionLog/updateHighWatermark(_:)``, ``PartitionLog/enableReplication()``),
/// a truncation (``PartitionLog/truncate(to:)``,
/// ``PartitionLog/truncateFullyAndStartAt(_:)``), close, and
/// ``PartitionLog/wakeWaiters()`` (a broker's leadership change, which does not touch
/// the log). Each report bumps the log's change count and wakes the waiters of *that*
/// log only: a thousand idle consumers are not woken by appends to other partitions.
///
/// To wait without missing a change:
///
/// ```swift
/// while true {
///     let mark = signal.mark(logs)        // 1. before looking
///     if let found = look(at: logs) { return found }
///     await signal.wait(for: logs, since: mark, until: deadline)
///     if ContinuousClock.now >= deadline { return nil }
/// }
/// ```
///
/// ``wait(for:since:until:)`` returns at once when one of the logs changed since the
/// mark, so a change between the look and the park still wakes the waiter. A wake says
/// that something changed, not that data is there (a truncation or close also wakes),
/// so a waiter looks again.
///
/// Cost when nobody waits on a log: reporting a change is two atomic operations, no
/// lock. With waiters, one lock shared by the store, held to find the waiters of the
/// log that changed.
public final class DataSignal: Sendable {
    /// The state of a set of logs at one moment, taken by ``mark(_:)`` before a waiter
    /// looks at them.
    public struct Mark: Sendable, Equatable {
        /// The sum of the logs' change counts; each only grows, so the sum moves when
        /// any of them changes.
        let changes: UInt64
        /// How many times ``DataSignal/wakeAll()`` ran.
        let generation: UInt64
    }

    /// What the signal keeps inside each log: its change count and how many waiters
    /// watch it. Both are read and written sequentially consistent, so a log that sees
    /// no waiter after bumping its count can skip the lock: a waiter that registers
    /// later reads the bumped count and does not park.
    final class LogState: Sendable {
        let changes = Atomic<UInt64>(0)
        let waiting = Atomic<Int>(0)
        init() {}
    }

    private struct Waiter {
        let logs: [PartitionLog]
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        /// The waiters of each log with at least one.
        var waitersByLog: [ObjectIdentifier: Set<UInt64>] = [:]
        var nextID: UInt64 = 0
        var generation: UInt64 = 0

        /// Removes waiter `id` and returns its continuation.
        mutating func remove(_ id: UInt64) -> CheckedContinuation<Void, Never>? {
            guard let waiter = waiters.removeValue(forKey: id) else { return nil }
            for log in waiter.logs {
                log.waitState.waiting.subtract(1, ordering: .sequentiallyConsistent)
                let key = ObjectIdentifier(log)
                waitersByLog[key]?.remove(id)
                if waitersByLog[key]?.isEmpty == true { waitersByLog[key] = nil }
            }
            return waiter.continuation
        }
    }

    private let state = Mutex(State())

    /// Creates a signal with no waiters.
    public init() {}

    /// The state of `logs` now; take it before looking at them, then pass it to
    /// ``wait(for:since:until:)``.
    public func mark(_ logs: [PartitionLog]) -> Mark {
        let generation = state.withLock { $0.generation }
        return Mark(changes: Self.changes(of: logs), generation: generation)
    }

    /// Waits until one of `logs` changes after `mark` was taken, ``wakeAll()`` runs, or
    /// `deadline` passes. Returns at once when that happened already.
    ///
    /// - Precondition: every log in `logs` reports to this signal.
    public func wait(for logs: [PartitionLog], since mark: Mark, until deadline: ContinuousClock.Instant) async {
        for log in logs { precondition(log.signal === self, "\(log.directory) reports to another signal") }
        guard ContinuousClock.now < deadline else { return }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            self.resume(id)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let parked = state.withLock { state -> Bool in
                // Counted as watching before the counts are read: a log that bumps its
                // count after this sees the waiter and takes this lock, and one bumped
                // before makes the sum below differ from the mark.
                for log in logs { log.waitState.waiting.add(1, ordering: .sequentiallyConsistent) }
                // The timer takes this lock too: either it finds the waiter registered,
                // or the deadline has passed here.
                guard Self.changes(of: logs) == mark.changes, state.generation == mark.generation,
                      ContinuousClock.now < deadline else {
                    for log in logs { log.waitState.waiting.subtract(1, ordering: .sequentiallyConsistent) }
                    return false
                }
                state.waiters[id] = Waiter(logs: logs, continuation: continuation)
                for log in logs { state.waitersByLog[ObjectIdentifier(log), default: []].insert(id) }
                return true
            }
            if !parked { continuation.resume() }
        }
        timer.cancel()
    }

    /// Waits until `ready()` is true or `timeout` passes, looking again after each change
    /// of `logs`. Returns `ready()` at the end.
    func wait(for logs: [PartitionLog], timeout: Duration, until ready: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let mark = mark(logs)
            if ready() { return true }
            if ContinuousClock.now >= deadline { return false }
            await wait(for: logs, since: mark, until: deadline)
        }
    }

    /// Records a change of `log` and wakes its waiters.
    func changed(_ log: PartitionLog) {
        let logState = log.waitState
        logState.changes.add(1, ordering: .sequentiallyConsistent)
        guard logState.waiting.load(ordering: .sequentiallyConsistent) > 0 else { return }
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard let ids = state.waitersByLog[ObjectIdentifier(log)] else { return [] }
            return ids.compactMap { state.remove($0) }
        }
        for continuation in woken { continuation.resume() }
    }

    /// Wakes every waiter, and every waiter whose mark was taken before this call returns
    /// at once: a server shutting down calls it after it stopped taking requests, so no
    /// parked request waits out its deadline.
    public func wakeAll() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation += 1
            return state.waiters.keys.compactMap { state.remove($0) }
        }
        for continuation in woken { continuation.resume() }
    }

    /// How many waiters are parked now. Tests use it to know a waiter is parked before
    /// they make the change that must wake it.
    public var parkedWaiters: Int { state.withLock { $0.waiters.count } }

    private func resume(_ id: UInt64) {
        let waiter = state.withLock { $0.remove(id) }
        waiter?.resume()
    }

    private static func changes(of logs: [PartitionLog]) -> UInt64 {
        logs.reduce(0) { $0 &+ $1.waitState.changes.load(ordering: .sequentiallyConsistent) }
    }
}
