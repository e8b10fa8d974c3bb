import Synchronization

/// Whether this broker may act for the cluster right now: it holds its etcd lease and has
/// read the cluster since it got it.
///
/// A broker whose lease lapsed (etcd unreachable, the process frozen past the session
/// timeout) may already have been replaced as leader; its view of the cluster is stale.
/// ``ReplicaManager/mayLead(_:nowMs:)`` decides what it may still do. It acts fully again
/// only after it registered with a new lease *and* read the cluster afresh.
final class BrokerSession: Sendable {
    /// The lease the broker was admitted under, and how to ask whether it still holds.
    ///
    /// A struct, not a tuple: a closure stored in a tuple inside `Mutex` is kept at its most
    /// general representation, and every `withLock` read wrote it back wrapped in two more
    /// reabstraction thunks, so each call got slower than the last (found by profiling an
    /// RF=3 leader: 28 % of its time in those thunks after 3 GB).
    private struct Admission: Sendable {
        let lease: Int64
        let holds: @Sendable () -> Bool
    }

    private let state = Mutex<Admission?>(nil)

    /// Lets the broker act under `lease`, for as long as `holds` says the lease is held.
    func admit(lease: Int64, holds: @escaping @Sendable () -> Bool) {
        state.withLock { $0 = Admission(lease: lease, holds: holds) }
    }

    /// Stops the broker acting until the next ``admit(lease:holds:)``.
    func fence() {
        state.withLock { $0 = nil }
    }

    /// Whether the broker may act now.
    var isValid: Bool {
        guard let admission = state.withLock({ $0 }) else { return false }
        return admission.holds()
    }
}
