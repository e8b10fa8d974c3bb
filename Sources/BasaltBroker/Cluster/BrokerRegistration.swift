import BasaltEtcd
import Logging
import Synchronization

/// Keeps this broker registered under `brokers/<id>` with a lease it keeps alive, so the
/// cluster sees it as alive exactly while it is reachable.
///
/// Registration is create-if-absent: while another process holds the id (or this
/// broker's own registration from before a crash has not yet expired) it waits, rather
/// than two brokers sharing an id. When the lease is lost (etcd unreachable past the
/// session timeout) the broker registers again with a new lease; meanwhile the
/// controller may have moved its partitions.
final class BrokerRegistration: Sendable {
    private let client: EtcdClient
    private let keys: ClusterKeys
    private let nodeId: Int32
    private let record: BrokerRecord
    private let ttlSeconds: Int64
    private let logger: Logger
    private let current = Mutex<(lease: EtcdLease, keeper: EtcdLeaseKeeper)?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(client: EtcdClient, keys: ClusterKeys, nodeId: Int32, record: BrokerRecord, ttlSeconds: Int, logger: Logger) {
        self.client = client
        self.keys = keys
        self.nodeId = nodeId
        self.record = record
        self.ttlSeconds = Int64(ttlSeconds)
        self.logger = logger
    }

    /// The lease the registration lives under, while it is held.
    var leaseID: Int64? {
        current.withLock { state in
            guard let state, state.keeper.isHeld else { return nil }
            return state.lease.id
        }
    }

    /// Registers (waiting while the id is taken), then keeps the registration alive in the
    /// background until ``deregister()``. `onLeaseChange` hears each new lease (after each
    /// registration, the first included) and `nil` as soon as the lease is lost.
    func start(onLeaseChange: @escaping @Sendable (Int64?) async -> Void) async throws {
        try await registerOnce()
        if let lease = leaseID { await onLeaseChange(lease) }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let self, let keeper = self.current.withLock({ $0?.keeper }) else { return }
                for await event in keeper.events {
                    if case .lost(let error) = event {
                        self.logger.error("broker registration lost", metadata: ["error": "\(error)"])
                        await onLeaseChange(nil)
                    }
                }
                guard !Task.isCancelled else { return }
                guard await EtcdRetry.untilDone("register with etcd", logger: self.logger, pause: .milliseconds(250), {
                    try await self.registerOnce()
                }) != nil else { return }
                if let lease = self.leaseID { await onLeaseChange(lease) }
            }
        }
        self.task.withLock { $0 = task }
    }

    /// Removes the registration now (controlled shutdown), so the cluster need not wait
    /// for the lease to expire.
    func deregister() async {
        task.withLock { $0?.cancel() }
        guard let state = current.withLock({ $0 }) else { return }
        state.keeper.stop()
        do {
            try await client.revokeLease(state.lease.id)
        } catch {
            logger.warning("cannot revoke the broker lease; it expires by itself", metadata: ["error": "\(error)"])
        }
    }

    private func registerOnce() async throws {
        let lease = try await client.grantLease(ttlSeconds: ttlSeconds)
        let key = keys.broker(nodeId)
        let value = ClusterRecordCodec.encode(record)
        var announced = false
        while true {
            try Task.checkCancellation()
            let result = try await client.createIfAbsent(key, value: value, leaseID: lease.id)
            if result.succeeded { break }
            if !announced {
                logger.warning("node id \(nodeId) is registered by another lease; waiting for it to expire")
                announced = true
            }
            // Wait for the holder's key to go (its lease expiring), by watching, not polling.
            for try await event in client.watch(key: key, fromRevision: result.revision + 1) where event.kind == .delete {
                break
            }
        }
        let keeper = EtcdLeaseKeeper(client: client, lease: lease)
        let previous = current.withLock { state -> EtcdLeaseKeeper? in
            defer { state = (lease, keeper) }
            return state?.keeper
        }
        previous?.stop()
        logger.info("registered with the cluster", metadata: ["node": "\(nodeId)", "lease": "\(lease.id)"])
    }
}
