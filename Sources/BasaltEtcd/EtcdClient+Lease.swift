/// Leases: grant, renew, revoke.
extension EtcdClient {
    /// Asks etcd for a new lease.
    ///
    /// A grant that timed out may still have created a lease; it is sent again elsewhere anyway,
    /// because an orphaned lease with no keys costs nothing and expires by itself.
    /// - Parameter ttlSeconds: requested time to live; etcd may raise it to its minimum.
    /// - Returns: the lease, with a local deadline measured from when the request was sent.
    /// - Throws: ``EtcdError``.
    public func grantLease(ttlSeconds: Int64) async throws -> EtcdLease {
        precondition(ttlSeconds > 0, "a lease TTL must be positive")
        let operation = "lease/grant"
        let sentAt = ContinuousClock.now
        let (response, endpoint) = try await call(
            "/v3/lease/grant", body: EtcdJSON.encode(EtcdWire.LeaseGrantRequest(TTL: .init(ttlSeconds))),
            operation: operation, as: EtcdWire.LeaseGrantResponse.self, retryAfterSend: true)
        if let error = response.error, !error.isEmpty {
            throw EtcdError.server(endpoint: endpoint.description, operation: operation, code: 0, message: error)
        }
        guard let id = response.ID?.value, id != 0, let ttl = response.TTL?.value, ttl > 0 else {
            throw EtcdError.malformedResponse(
                endpoint: endpoint.description, operation: operation, reason: "grant without an ID or a positive TTL")
        }
        return EtcdLease(id: id, ttlSeconds: ttl, deadline: sentAt + .seconds(ttl))
    }

    /// Renews a lease once.
    ///
    /// - Returns: the lease with its remaining TTL and a new local deadline (send time + TTL).
    /// - Throws: ``EtcdError/leaseExpired(leaseID:reason:)`` when etcd reports TTL <= 0 (the lease is
    ///   gone and its keys with it); other ``EtcdError``s when etcd could not be asked.
    public func keepAliveOnce(_ leaseID: Int64) async throws -> EtcdLease {
        try await keepAliveOnce(leaseID, deadline: nil)
    }

    /// ``keepAliveOnce(_:)`` bounded by an absolute deadline (the lease keeper's local lease deadline).
    func keepAliveOnce(_ leaseID: Int64, deadline: ContinuousClock.Instant?) async throws -> EtcdLease {
        let operation = "lease/keepalive"
        let sentAt = ContinuousClock.now
        // The gateway maps this bidirectional stream to one request and a stream of one reply,
        // each `{"result":…}`, or `{"error":…}` when the stream fails.
        let (message, endpoint) = try await call(
            "/v3/lease/keepalive", body: EtcdJSON.encode(EtcdWire.LeaseIDRequest(ID: .init(leaseID))),
            operation: operation, as: EtcdWire.StreamMessage<EtcdWire.LeaseKeepAliveResponse>.self,
            retryAfterSend: true, deadline: deadline)
        if let error = message.error {
            throw EtcdError.server(
                endpoint: endpoint.description, operation: operation, code: error.grpc_code ?? 0,
                message: error.message ?? "")
        }
        guard let result = message.result else {
            throw EtcdError.malformedResponse(endpoint: endpoint.description, operation: operation, reason: "no result")
        }
        // proto3 JSON omits a zero TTL: an absent TTL means 0, the lease is gone.
        let ttl = result.TTL?.value ?? 0
        guard ttl > 0 else {
            throw EtcdError.leaseExpired(leaseID: leaseID, reason: "etcd at \(endpoint) reports TTL \(ttl)")
        }
        return EtcdLease(id: leaseID, ttlSeconds: ttl, deadline: sentAt + .seconds(ttl))
    }

    /// Ends a lease now; every key attached to it is deleted.
    ///
    /// A revoke is sent to another endpoint after a timeout; if the first one went through, the
    /// second fails with `server` code 5 (lease not found), which means the lease is gone.
    /// - Throws: ``EtcdError``; `server` with code 5 when the lease does not exist.
    public func revokeLease(_ leaseID: Int64) async throws {
        _ = try await call(
            "/v3/lease/revoke", body: EtcdJSON.encode(EtcdWire.LeaseIDRequest(ID: .init(leaseID))),
            operation: "lease/revoke", as: EtcdWire.LeaseRevokeResponse.self, retryAfterSend: true)
    }
}
