import Synchronization

/// Keeps one lease alive in the background and says at once when it is no longer held.
///
/// It renews at a third of the TTL after each successful renewal was sent. The lease counts as held
/// until its *local deadline*: the moment the last successful renewal (or the grant) was sent, plus the
/// TTL etcd returned, on the monotonic clock. etcd starts its TTL later than that (when it handles the
/// request), so while the local deadline has not passed the lease cannot have expired at etcd.
///
/// The keeper reports ``Event/lost(_:)`` and stops:
/// - at once when etcd says the lease is gone (keepalive TTL <= 0, or lease not found), and
/// - at the local deadline when no renewal succeeded before it. A failed renewal attempt (an endpoint
///   unreachable, a timeout) is retried until then rather than reported, because the lease is still
///   valid at etcd; each attempt is bounded by the deadline, so a silent etcd cannot delay the report.
///
/// A controller checks ``isHeld`` before each action and stops acting on ``Event/lost(_:)``: between
/// them, no action happens after the deadline. Call ``stop()`` when done (dropping the keeper also
/// stops it); neither revokes the lease.
public final class EtcdLeaseKeeper: Sendable {
    /// What happened to the lease.
    public enum Event: Equatable, Sendable {
        /// A renewal succeeded; the lease now holds until the given lease's deadline.
        case renewed(EtcdLease)
        /// The lease is no longer held (the last event). The error says why.
        case lost(EtcdError)
    }

    private struct State {
        var deadline: ContinuousClock.Instant
        var lost = false
        var task: Task<Void, Never>?
    }

    /// The lease kept alive.
    public let leaseID: Int64
    /// Renewals and, last, the loss of the lease. Holds the newest 16 events if nobody reads them;
    /// `lost` is always last, so it is never the one dropped.
    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let state: Mutex<State>

    /// Starts keeping `lease` alive with `client`.
    ///
    /// Pass the lease as ``EtcdClient/grantLease(ttlSeconds:)`` returned it, so its deadline is the grant's.
    public init(client: EtcdClient, lease: EtcdLease) {
        leaseID = lease.id
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(16))
        state = Mutex(State(deadline: lease.deadline))
        // The task holds the keeper weakly, except while one renewal is in flight, so a keeper that
        // is dropped without stop() stops renewing (deinit) instead of renewing forever.
        let task = Task { [weak self] in
            var current = lease
            var nextAttempt = EtcdLeaseKeeper.renewalTime(of: lease)
            while true {
                do {
                    try await Task.sleep(until: nextAttempt, clock: .continuous)
                } catch {
                    return  // stopped
                }
                guard let keeper = self,
                      let next = await keeper.renew(client: client, current: &current)
                else { return }
                nextAttempt = next
            }
        }
        state.withLock { $0.task = task }
    }

    deinit {
        state.withLock { $0.task }?.cancel()
        continuation.finish()
    }

    /// True while the lease has not been reported lost and its local deadline has not passed.
    /// Exact at the moment of the call, even if the background renewal is late.
    public var isHeld: Bool {
        state.withLock { !$0.lost && ContinuousClock.now < $0.deadline }
    }

    /// The local deadline of the lease: it is held until then unless renewed.
    public var deadline: ContinuousClock.Instant {
        state.withLock { $0.deadline }
    }

    /// Stops renewing and ends ``events`` (without a `lost` event). The lease itself lives on at etcd
    /// until its TTL runs out; revoke it with ``EtcdClient/revokeLease(_:)`` to end it now.
    public func stop() {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.lost = true
            return state.task
        }
        task?.cancel()
        continuation.finish()
    }

    /// One renewal attempt. Returns when to try next, or nil when the keeper is done.
    private func renew(client: EtcdClient, current: inout EtcdLease) async -> ContinuousClock.Instant? {
        let leaseID = self.leaseID
        do {
            if ContinuousClock.now >= current.deadline {
                reportLost(.leaseExpired(leaseID: leaseID, reason: "no successful renewal before the local deadline"))
                return nil
            }
            let renewed = try await client.keepAliveOnce(leaseID, deadline: current.deadline)
            current = renewed
            let stillKept = state.withLock { state -> Bool in
                guard !state.lost else { return false }
                state.deadline = renewed.deadline
                return true
            }
            guard stillKept else { return nil }
            continuation.yield(.renewed(renewed))
            return Self.renewalTime(of: renewed)
        } catch let error as EtcdError {
            switch error {
            case .leaseExpired, .server(_, _, 5, _):
                reportLost(error)
                return nil
            default:
                if ContinuousClock.now >= current.deadline {
                    reportLost(.leaseExpired(
                        leaseID: leaseID, reason: "no successful renewal before the local deadline; last error: \(error)"))
                    return nil
                }
                // Retry soon, but never later than the deadline, so the loss is reported on time.
                return min(ContinuousClock.now + Self.retryDelay(of: current), current.deadline)
            }
        } catch {
            return nil  // cancelled: stopped
        }
    }

    private func reportLost(_ error: EtcdError) {
        let first = state.withLock { state -> Bool in
            defer { state.lost = true }
            return !state.lost
        }
        guard first else { return }
        continuation.yield(.lost(error))
        continuation.finish()
    }

    /// One third of the TTL after the renewal was sent (deadline − TTL).
    private static func renewalTime(of lease: EtcdLease) -> ContinuousClock.Instant {
        lease.deadline - .seconds(lease.ttlSeconds) * 2 / 3
    }

    /// Pause between failed renewal attempts: a tenth of the TTL, between 50 ms and 1 s.
    private static func retryDelay(of lease: EtcdLease) -> Duration {
        min(max(.seconds(lease.ttlSeconds) / 10, .milliseconds(50)), .seconds(1))
    }
}
