import Synchronization

/// Leader election on one etcd key: whoever creates the key holds the office until the key goes.
///
/// The key is written under the campaigner's lease, so when that lease ends (revoked, or not kept
/// alive) etcd deletes the key and the next campaigner, watching the key, creates it. Holding the
/// office therefore means "my key exists" and lasts no longer than the lease: a leader acts only
/// while its ``EtcdLeaseKeeper/isHeld`` is true.
///
/// Ownership is the key's create revision: ``resign()`` deletes the key only if it still has the create
/// revision this campaigner got, so it never deletes a successor's key.
public final class EtcdElection: Sendable {
    /// The election key.
    public let key: String
    /// What this campaigner writes to the key (e.g. its broker id).
    public let value: [UInt8]
    /// The lease the key is attached to.
    public let leaseID: Int64
    private let client: EtcdClient
    /// Create revision of the key this campaigner created, while it believes it is leader.
    private let ownedCreateRevision = Mutex<Int64?>(nil)

    /// Creates a campaigner; nothing is sent until ``campaign()`` or ``tryCampaign()``.
    public init(client: EtcdClient, key: String, value: [UInt8], leaseID: Int64) {
        precondition(leaseID != 0, "an election key must be attached to a lease")
        self.client = client
        self.key = key
        self.value = value
        self.leaseID = leaseID
    }

    /// Whether this campaigner won and has not resigned. It does not ask etcd; combine it with the
    /// lease keeper's ``EtcdLeaseKeeper/isHeld``.
    public var isLeader: Bool { ownedCreateRevision.withLock { $0 != nil } }

    /// Tries once to become leader.
    ///
    /// - Returns: true when this campaigner created the key, or the key already exists under this
    ///   campaigner's lease (a repeated campaign, e.g. after a timed-out attempt that went through).
    /// - Throws: ``EtcdError``.
    public func tryCampaign() async throws -> Bool {
        try await attempt().won
    }

    /// Waits until this campaigner is leader: tries to create the key, and while another holds it,
    /// watches the key until it is deleted and tries again. Cancel the task to give up.
    ///
    /// - Throws: ``EtcdError`` from a request or the watch, or `CancellationError`.
    public func campaign() async throws {
        while true {
            try Task.checkCancellation()
            let (won, revision) = try await attempt()
            if won { return }
            // Watch from just after the failed attempt's revision, so a delete that happens before the
            // watch is set up is still seen.
            for try await event in client.watch(key: key, fromRevision: revision + 1) where event.kind == .delete {
                break
            }
        }
    }

    private func attempt() async throws -> (won: Bool, revision: Int64) {
        let result = try await client.createIfAbsent(key, value: value, leaseID: leaseID)
        if result.succeeded {
            ownedCreateRevision.withLock { $0 = result.revision }
            return (true, result.revision)
        }
        if case .range(let current)? = result.responses.first, let holder = current.first, holder.leaseID == leaseID {
            ownedCreateRevision.withLock { $0 = holder.createRevision }
            return (true, result.revision)
        }
        return (false, result.revision)
    }

    /// The current leader's key, or nil when the office is vacant.
    ///
    /// - Throws: ``EtcdError``.
    public func leader() async throws -> EtcdKeyValue? {
        try await client.get(key)
    }

    /// Steps down: deletes the key if it is still the one this campaigner created.
    ///
    /// - Returns: true when the key was deleted; false when this campaigner was not leader or the key
    ///   is already gone or someone else's.
    /// - Throws: ``EtcdError``; after a timeout this campaigner counts as not leader anyway.
    @discardableResult
    public func resign() async throws -> Bool {
        guard let createRevision = ownedCreateRevision.withLock({ owned -> Int64? in
            defer { owned = nil }
            return owned
        }) else { return false }
        let result = try await client.txn(
            compare: [.createRevision(of: key, .equal, createRevision)], success: [.delete(key: key)])
        return result.succeeded
    }

    /// Streams the leader: first the current holder (nil when vacant), then each change.
    ///
    /// Ends as ``EtcdClient/watch(key:fromRevision:)`` does.
    public func observe() -> AsyncThrowingStream<EtcdKeyValue?, any Error> {
        let (stream, continuation) = AsyncThrowingStream<EtcdKeyValue?, any Error>.makeStream()
        let task = Task { [client, key] in
            do {
                let current = try await client.getWithRevision(key)
                continuation.yield(current.keyValues.first)
                for try await event in client.watch(key: key, fromRevision: current.revision + 1) {
                    continuation.yield(event.kind == .put ? event.keyValue : nil)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
