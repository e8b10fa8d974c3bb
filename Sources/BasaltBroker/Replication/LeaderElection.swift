/// The controller's decisions about who leads a partition, as pure functions of its state
/// and the live brokers, so they can be tested with any sequence of failures.
///
/// Every function returns the next state (with ``PartitionState/partitionEpoch`` bumped
/// and, when the leader changes, ``PartitionState/leaderEpoch`` too), or `nil` when nothing
/// needs to change. The caller writes it with a compare-and-swap on the etcd revision it
/// read the old state at.
public enum LeaderElection {
    /// The state after the brokers not in `live` are gone: the dead leave the ISR, and a
    /// dead leader is replaced by the first live ISR member in replica order.
    ///
    /// When no ISR member is alive the partition goes offline (leader −1) and the ISR keeps
    /// its last member, so that replica leads again when it returns: it holds every
    /// acknowledged record. With `uncleanAllowed` the first live replica leads instead,
    /// and records acknowledged by the old ISR only may be lost.
    public static func afterFailures(
        _ state: PartitionState, live: Set<Int32>, uncleanAllowed: Bool
    ) throws(PartitionStateError) -> PartitionState? {
        let liveIsr = state.isr.filter(live.contains)
        if state.leader != PartitionState.noLeader, live.contains(state.leader) {
            // The leader lives: only drop dead followers from the ISR.
            guard liveIsr.count != state.isr.count else { return nil }
            var next = state
            next.isr = liveIsr
            return try bumped(next, leaderChanged: false)
        }
        if let leader = state.replicas.first(where: { liveIsr.contains($0) }) {
            var next = state
            next.leader = leader
            next.isr = [leader] + liveIsr.filter { $0 != leader }
            return try bumped(next, leaderChanged: true)
        }
        if uncleanAllowed, let leader = state.replicas.first(where: live.contains) {
            var next = state
            next.leader = leader
            next.isr = [leader]
            return try bumped(next, leaderChanged: true)
        }
        // Offline. Keep one ISR member (the last leader when known) as the one to wait for.
        let keep: [Int32]
        if state.isr.contains(state.leader) {
            keep = [state.leader]
        } else {
            keep = Array(state.isr.prefix(1))
        }
        guard state.leader != PartitionState.noLeader || keep != state.isr else { return nil }
        var next = state
        next.leader = PartitionState.noLeader
        next.isr = keep
        return try bumped(next, leaderChanged: true)
    }

    /// The state with `broker` shutting down cleanly: if it leads, another live ISR member
    /// takes over before it stops; either way it leaves the ISR. Returns `nil` when no other
    /// ISR member is alive to take over (the partition keeps its leader until it stops).
    public static func forControlledShutdown(
        _ state: PartitionState, broker: Int32, live: Set<Int32>
    ) throws(PartitionStateError) -> PartitionState? {
        guard state.isr.contains(broker) else { return nil }
        let others = state.isr.filter { $0 != broker && live.contains($0) }
        guard !others.isEmpty else { return nil }
        var next = state
        next.isr = state.isr.filter { $0 != broker }
        if state.leader == broker, let leader = state.replicas.first(where: others.contains) {
            next.leader = leader
            next.isr = [leader] + next.isr.filter { $0 != leader }
            return try bumped(next, leaderChanged: true)
        }
        return try bumped(next, leaderChanged: false)
    }

    /// The state once `broker` is alive again: an offline partition whose remaining ISR
    /// member it is gets it back as leader. Followers rejoin the ISR through their leader,
    /// not here.
    public static func afterReturn(
        _ state: PartitionState, broker: Int32, live: Set<Int32>
    ) throws(PartitionStateError) -> PartitionState? {
        guard state.leader == PartitionState.noLeader, state.isr.contains(broker), live.contains(broker) else { return nil }
        var next = state
        next.leader = broker
        next.isr = [broker] + state.isr.filter { $0 != broker && live.contains($0) }
        return try bumped(next, leaderChanged: true)
    }

    /// `state` with its partition epoch (and leader epoch when `leaderChanged`) bumped.
    static func bumped(_ state: PartitionState, leaderChanged: Bool) throws(PartitionStateError) -> PartitionState {
        var next = state
        guard next.partitionEpoch < Int32.max, !leaderChanged || next.leaderEpoch < Int32.max else {
            throw .epochExhausted
        }
        next.partitionEpoch += 1
        if leaderChanged { next.leaderEpoch += 1 }
        return next
    }
}
