/// Reads, writes and transactions.
extension EtcdClient {
    /// Reads one key.
    ///
    /// - Returns: the key, or nil when it does not exist.
    /// - Throws: ``EtcdError``.
    public func get(_ key: String) async throws -> EtcdKeyValue? {
        try await getWithRevision(key).keyValues.first
    }

    /// Reads one key, with the revision the read saw (to watch the key from `revision + 1`).
    ///
    /// - Throws: ``EtcdError``.
    public func getWithRevision(_ key: String) async throws -> EtcdRangeResult {
        try await range(EtcdWire.RangeRequest(key: EtcdWire.base64(key)))
    }

    /// Reads every key that starts with `prefix`, in key order, with the revision the read saw.
    ///
    /// To follow the prefix from here without missing a change, watch from `revision + 1`.
    /// The whole result must fit in the client's `maxResponseBytes`.
    /// - Throws: ``EtcdError``.
    public func getPrefix(_ prefix: String) async throws -> EtcdRangeResult {
        try await range(EtcdWire.RangeRequest(key: EtcdWire.base64(prefix), range_end: EtcdWire.prefixRangeEnd(prefix)))
    }

    private func range(_ request: EtcdWire.RangeRequest) async throws -> EtcdRangeResult {
        let operation = "kv/range"
        let (response, endpoint) = try await call(
            "/v3/kv/range", body: EtcdJSON.encode(request), operation: operation,
            as: EtcdWire.RangeResponse.self, retryAfterSend: true)
        return try EtcdRangeResult(wire: response, endpoint: endpoint, operation: operation)
    }

    /// Writes a key, attached to `leaseID` unless it is 0 (the key is deleted when the lease ends).
    ///
    /// - Returns: the revision of the write.
    /// - Throws: ``EtcdError``; `server` with code 5 when the lease does not exist.
    @discardableResult
    public func put(_ key: String, value: [UInt8], leaseID: Int64 = 0) async throws -> Int64 {
        let request = EtcdWire.PutRequest(
            key: EtcdWire.base64(key), value: EtcdWire.base64(value), lease: leaseID == 0 ? nil : .init(leaseID))
        let (response, _) = try await call(
            "/v3/kv/put", body: EtcdJSON.encode(request), operation: "kv/put",
            // Repeatable: an unconditional put sent again writes the same value and lease, so the
            // key ends as one put would leave it (its revision moves on once more). A freshly
            // started or loaded etcd sometimes drops a connection before answering.
            as: EtcdWire.PutResponse.self, retryAfterSend: true)
        return response.header?.revision?.value ?? 0
    }

    /// Deletes one key.
    ///
    /// - Returns: how many keys were deleted (0 or 1). A delete is sent again after a dropped
    ///   connection (it is idempotent), and then says 0 for a key the first attempt removed.
    /// - Throws: ``EtcdError``.
    @discardableResult
    public func delete(_ key: String) async throws -> Int64 {
        try await deleteRange(EtcdWire.DeleteRangeRequest(key: EtcdWire.base64(key)))
    }

    /// Deletes every key that starts with `prefix`.
    ///
    /// - Returns: how many keys were deleted.
    /// - Throws: ``EtcdError``.
    @discardableResult
    public func deletePrefix(_ prefix: String) async throws -> Int64 {
        try await deleteRange(
            EtcdWire.DeleteRangeRequest(key: EtcdWire.base64(prefix), range_end: EtcdWire.prefixRangeEnd(prefix)))
    }

    private func deleteRange(_ request: EtcdWire.DeleteRangeRequest) async throws -> Int64 {
        let (response, _) = try await call(
            "/v3/kv/deleterange", body: EtcdJSON.encode(request), operation: "kv/deleterange",
            // Repeatable: a delete sent again after a dropped connection finds nothing more to
            // delete and makes no revision; only its count then says 0 for keys the first removed.
            as: EtcdWire.DeleteRangeResponse.self, retryAfterSend: true)
        return response.deleted?.value ?? 0
    }

    /// Runs a transaction: if every comparison holds, the `success` operations, otherwise the
    /// `failure` operations, atomically at one revision.
    ///
    /// - Throws: ``EtcdError``. After `timedOut`/`connectionClosed` the outcome is unknown.
    public func txn(
        compare: [EtcdCompare], success: [EtcdTxnOperation], failure: [EtcdTxnOperation] = []
    ) async throws -> EtcdTxnResult {
        let operation = "kv/txn"
        let request = EtcdWire.TxnRequest(
            compare: compare.map(\.wire), success: success.map(\.wire), failure: failure.map(\.wire))
        let (response, endpoint) = try await call(
            "/v3/kv/txn", body: EtcdJSON.encode(request), operation: operation,
            as: EtcdWire.TxnResponse.self, retryAfterSend: false)
        return try EtcdTxnResult(wire: response, endpoint: endpoint, operation: operation)
    }

    /// Creates `key` only if it does not exist (its create revision is 0).
    ///
    /// - Returns: `succeeded` true and the revision of the write when the key was created; otherwise
    ///   `succeeded` false and `responses == [.range([current])]`, the key that was already there.
    /// - Throws: ``EtcdError``.
    public func createIfAbsent(_ key: String, value: [UInt8], leaseID: Int64 = 0) async throws -> EtcdTxnResult {
        try await txn(
            compare: [.createRevision(of: key, .equal, 0)],
            success: [.put(key: key, value: value, leaseID: leaseID)],
            failure: [.get(key: key)])
    }

    /// Writes `newValue` only if the key was last modified at `expectedModRevision`
    /// (compare-and-swap on the revision read before).
    ///
    /// - Returns: `succeeded` true and the revision of the write; otherwise `succeeded` false and
    ///   `responses == [.range(current)]` (empty when the key no longer exists).
    /// - Throws: ``EtcdError``.
    public func compareAndSwap(
        _ key: String, expectedModRevision: Int64, newValue: [UInt8], leaseID: Int64 = 0
    ) async throws -> EtcdTxnResult {
        try await txn(
            compare: [.modRevision(of: key, .equal, expectedModRevision)],
            success: [.put(key: key, value: newValue, leaseID: leaseID)],
            failure: [.get(key: key)])
    }

    /// Discards the history before `revision` (etcd's compaction). Watches asking for an older
    /// revision then fail with ``EtcdError/watchCompacted(endpoint:requestedRevision:compactRevision:)``.
    ///
    /// - Throws: ``EtcdError``; `server` when `revision` is already compacted or in the future.
    public func compact(revision: Int64) async throws {
        _ = try await call(
            "/v3/kv/compaction", body: EtcdJSON.encode(EtcdWire.CompactionRequest(revision: .init(revision))),
            operation: "kv/compaction", as: EtcdWire.PutResponse.self, retryAfterSend: true)
    }
}
