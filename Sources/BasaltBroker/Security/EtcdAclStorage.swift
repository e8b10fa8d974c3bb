import BasaltEtcd
import Logging
import Synchronization

/// A cluster's ACLs: one etcd key, `/basalt/<cluster>/acls`, holding the whole set in
/// ``AclSetCodec``'s form, so every broker enforces the same ACLs.
///
/// Changes are compare-and-swap on the key's mod revision (the one this broker last read or
/// wrote): a CreateAcls on one broker cannot undo a concurrent DeleteAcls on another
/// (``AclStorageConflict``, and the change is recomputed). Every broker applies the key from a
/// watch. A value that does not decode is refused at start (``EtcdAclStorageError``: the broker
/// does not start) and ignored with an error log when it arrives by the watch (the set in force
/// stays): it never silently means "no ACLs". Deleting the key deletes every ACL.
final class EtcdAclStorage: AclStorage {
    /// The key.
    let key: String
    private let client: EtcdClient
    private let logger: Logger
    private let modRevision = Mutex<Int64>(0)
    private let watcher = Mutex<Task<Void, Never>?>(nil)

    init(client: EtcdClient, keys: ClusterKeys, logger: Logger) {
        self.client = client
        key = keys.acls
        self.logger = logger
    }

    func load() async throws -> [AclBinding] {
        try await loadWithRevision().acls
    }

    private func loadWithRevision() async throws -> (acls: [AclBinding], revision: Int64) {
        let result = try await client.getWithRevision(key)
        let acls = try decode(result.keyValues.first)
        modRevision.withLock { $0 = result.keyValues.first?.modRevision ?? 0 }
        return (acls, result.revision)
    }

    private func decode(_ keyValue: EtcdKeyValue?) throws(EtcdAclStorageError) -> [AclBinding] {
        guard let keyValue else { return [] }
        do {
            return try AclSetCodec.decode(keyValue.value)
        } catch {
            throw EtcdAclStorageError(key: key, reason: error.reason)
        }
    }

    func save(_ acls: [AclBinding]) async throws {
        let expected = modRevision.withLock { $0 }
        let result = try await client.compareAndSwap(key, expectedModRevision: expected, newValue: AclSetCodec.encode(acls))
        guard result.succeeded else { throw AclStorageConflict() }
        modRevision.withLock { $0 = result.revision }
    }

    /// Reads the key (so `apply` has the stored set when this returns) and follows it with a
    /// watch, calling `apply` with every new set.
    ///
    /// - Throws: ``EtcdAclStorageError`` for a stored value that is not an ACL set; the etcd
    ///   client's errors when the first read fails.
    func start(apply: @escaping @Sendable ([AclBinding]) -> Void) async throws {
        let (acls, revision) = try await loadWithRevision()
        apply(acls)
        let task = Task { [weak self] in
            var from = revision + 1
            while !Task.isCancelled {
                guard let self else { return }
                do {
                    for try await event in self.client.watch(key: self.key, fromRevision: from) {
                        from = event.revision + 1
                        self.applyEvent(event, apply)
                    }
                    if Task.isCancelled { return }
                } catch {
                    if Task.isCancelled { return }
                    self.logger.warning("ACL watch ended, reading the ACLs again", metadata: ["error": "\(error)"])
                }
                guard let reloaded = await EtcdRetry.untilDone("read the ACLs from etcd", logger: self.logger, pause: .milliseconds(500), {
                    try await self.reloadKeepingOnDamage(apply)
                }) else { return }
                from = reloaded + 1
            }
        }
        watcher.withLock { $0 = task }
    }

    private func applyEvent(_ event: EtcdWatchEvent, _ apply: @Sendable ([AclBinding]) -> Void) {
        guard event.keyValue.key == key else { return }
        let keyValue: EtcdKeyValue? = event.kind == .put ? event.keyValue : nil
        do {
            let acls = try decode(keyValue)
            // A deleted key has mod revision 0 again, which is what the next swap must expect.
            modRevision.withLock { $0 = keyValue == nil ? 0 : event.revision }
            apply(acls)
        } catch {
            logger.error("ignoring an unreadable ACL set from etcd; the ACLs in force stay", metadata: ["error": "\(error)"])
        }
    }

    /// Reads the key again after the watch ended; returns the revision read.
    private func reloadKeepingOnDamage(_ apply: @Sendable ([AclBinding]) -> Void) async throws -> Int64 {
        let result = try await client.getWithRevision(key)
        do {
            let acls = try decode(result.keyValues.first)
            modRevision.withLock { $0 = result.keyValues.first?.modRevision ?? 0 }
            apply(acls)
        } catch {
            logger.error("ignoring an unreadable ACL set from etcd; the ACLs in force stay", metadata: ["error": "\(error)"])
        }
        return result.revision
    }

    /// Stops the watch.
    func stop() {
        watcher.withLock { $0?.cancel() }
    }
}

/// The cluster's ACL key holds something that is not an ACL set.
public struct EtcdAclStorageError: Error, Sendable, CustomStringConvertible {
    /// The etcd key.
    public var key: String
    /// What is wrong with its value.
    public var reason: String

    public var description: String {
        "etcd key \(key) is not an ACL set (\(reason)). Restore it, or delete the key to start with no ACLs."
    }
}
