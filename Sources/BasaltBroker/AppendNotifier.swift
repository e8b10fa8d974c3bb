import Basalt
import Synchronization

/// Wakes parked Fetch requests when one of their partitions grows.
///
/// Each partition has a version that every append through the broker bumps. A fetch
/// reads the versions of its partitions *before* it looks at the logs, and parks only
/// if they are unchanged when it registers, so an append between the look and the
/// registration is never missed.
final class AppendNotifier: Sendable {
    private struct Waiter {
        let partitions: Set<TopicPartition>
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var versions: [TopicPartition: UInt64] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
        var shuttingDown = false
    }

    private let state = Mutex(State())

    /// The sum of the versions of `partitions`; it only grows.
    func version(of partitions: Set<TopicPartition>) -> UInt64 {
        state.withLock { state in partitions.reduce(0) { $0 &+ (state.versions[$1] ?? 0) } }
    }

    /// Records an append to `partition` and wakes the fetches waiting on it.
    func notify(_ partition: TopicPartition) {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.versions[partition, default: 0] &+= 1
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters where waiter.partitions.contains(partition) {
                woken.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until one of `partitions` moves past `seenVersion` or `deadline` passes.
    func wait(for partitions: Set<TopicPartition>, seenVersion: UInt64, until deadline: ContinuousClock.Instant) async {
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
                let current = partitions.reduce(0) { $0 &+ (state.versions[$1] ?? 0) }
                guard current == seenVersion, !state.shuttingDown, ContinuousClock.now < deadline else { return false }
                state.waiters[id] = Waiter(partitions: partitions, continuation: continuation)
                return true
            }
            if !parked { continuation.resume() }
        }
        timer.cancel()
    }

    /// Wakes every parked fetch and lets none park again (shutdown).
    func wakeAll() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.shuttingDown = true
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    private func resume(_ id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume()
    }
}
