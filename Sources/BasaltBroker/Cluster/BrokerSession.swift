import Synchronization

/// Whether this broker may act for the cluster right now: it holds its etcd lease and has
/// read the cluster since it got it.
///
/// A broker whose lease lapsed (etcd unreachable, the process frozen past the session
/// timeout) may already have been replaced as leader; its view of the cluster is stale. It
/// stops leading, coordinating groups and claiming leadership in Metadata at once, on its
/// own clock: the lease keeper's local deadline passes before etcd expires the lease, so
/// the old leader has stopped before a new one can be elected. It acts again only after it
/// registered with a new lease *and* read the cluster afresh.
final class BrokerSession: Sendable {
    private let state = Mutex<(lease: Int64, holds: @Sendable () -> Bool)?>(nil)

    /// Lets the broker act under `lease`, for as long as `holds` says the lease is held.
    func admit(lease: Int64, holds: @escaping @Sendable () -> Bool) {
        state.withLock { $0 = (lease, holds) }
    }

    /// Stops the broker acting until the next ``admit(lease:holds:)``.
    func fence() {
        state.withLock { $0 = nil }
    }

    /// Whether the broker may act now.
    var isValid: Bool {
        guard let current = state.withLock({ $0 }) else { return false }
        return current.holds()
    }
}
