/// A lease granted by etcd, with the local moment it certainly expires by.
public struct EtcdLease: Equatable, Sendable {
    /// The lease's ID, to attach keys to it (`put(_:value:leaseID:)`) and to renew or revoke it.
    public var id: Int64
    /// The TTL etcd granted, in seconds (etcd may raise a requested TTL to its minimum).
    public var ttlSeconds: Int64
    /// When the lease expires at the latest, on the monotonic clock: the moment the grant request was
    /// *sent* plus the TTL. etcd starts the TTL when it handles the request, which is later, so this
    /// local deadline never falls after the real expiry.
    public var deadline: ContinuousClock.Instant

    /// Creates a lease record.
    public init(id: Int64, ttlSeconds: Int64, deadline: ContinuousClock.Instant) {
        self.id = id
        self.ttlSeconds = ttlSeconds
        self.deadline = deadline
    }
}
