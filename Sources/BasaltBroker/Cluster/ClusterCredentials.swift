import BasaltEtcd
import Foundation
import Logging
import Synchronization

/// Shares the SCRAM credential store between the brokers of a cluster through etcd: one key
/// per user, `credentials/<hex of the user name>`, whose value is the JSON list of that
/// user's credential records (salt, iterations, StoredKey, ServerKey; never a password).
///
/// At start a broker uploads the users only its own file has (so a first admin created
/// offline with `basalt-broker scram-credential` on one data directory reaches every
/// broker), reads the prefix, and then applies every change from a watch to its local
/// store (which keeps a copy in its file). AlterUserScramCredentials writes etcd and the
/// local store; the other brokers follow from their watches within one etcd round trip.
/// A value that does not decode is logged and ignored, never trusted.
final class ClusterCredentials: Sendable {
    private let client: EtcdClient
    private let prefix: String
    private let store: ScramCredentialStore
    private let logger: Logger
    private let watcher = Mutex<Task<Void, Never>?>(nil)

    /// The largest value read for one user.
    static let maxValueBytes = 64 << 10

    init(client: EtcdClient, keys: ClusterKeys, store: ScramCredentialStore, logger: Logger) {
        self.client = client
        prefix = keys.root + "credentials/"
        self.store = store
        self.logger = logger
    }

    private func key(_ user: String) -> String {
        prefix + user.utf8.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    private func user(ofKey key: String) -> String? {
        guard key.hasPrefix(prefix) else { return nil }
        let hex = Array(key.utf8.dropFirst(prefix.utf8.count))
        guard !hex.isEmpty, hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let byte = UInt8(String(decoding: hex[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private func encode(_ user: String, _ credentials: [ScramCredential]) -> [UInt8] {
        let records = credentials.sorted { $0.hash.rawValue < $1.hash.rawValue }.map { ScramCredentialStore.record(user: user, $0) }
        do {
            return Array(try JSONEncoder().encode(records))
        } catch {
            preconditionFailure("credential records always encode: \(error)")
        }
    }

    private func decode(_ user: String, _ value: [UInt8]) -> [ScramCredential]? {
        guard value.count <= Self.maxValueBytes,
              let records = try? JSONDecoder().decode([ScramCredentialStore.FileRecord].self, from: Data(value)) else {
            return nil
        }
        var credentials: [ScramCredential] = []
        for record in records {
            guard record.user == user, case .success(let credential) = ScramCredentialStore.credential(of: record) else { return nil }
            credentials.append(credential)
        }
        return credentials
    }

    /// Uploads local-only users, loads the cluster's, and starts following changes.
    func start() async throws {
        let existing = try await client.getPrefix(prefix)
        let known = Set(existing.keyValues.compactMap { user(ofKey: $0.key) })
        for (user, credentials) in store.users where !known.contains(user) {
            _ = try await client.createIfAbsent(key(user), value: encode(user, credentials))
            logger.info("uploaded SCRAM user to the cluster", metadata: ["user": "\(user.utf8Prefix(maxBytes: 128))"])
        }
        let revision = try await reload()
        let task = Task { [weak self] in
            var from = revision + 1
            while !Task.isCancelled {
                guard let self else { return }
                do {
                    for try await event in self.client.watch(prefix: self.prefix, fromRevision: from) {
                        self.apply(event.keyValue.key, event.kind == .delete ? nil : event.keyValue.value)
                        from = event.revision + 1
                    }
                    if Task.isCancelled { return }
                } catch {
                    if Task.isCancelled { return }
                    self.logger.warning("credential watch ended, reading the credentials again", metadata: ["error": "\(error)"])
                }
                guard let revision = await EtcdRetry.untilDone(
                    "read the credentials from etcd", logger: self.logger, pause: .milliseconds(500), { try await self.reload() })
                else { return }
                from = revision + 1
            }
        }
        watcher.withLock { $0 = task }
    }

    func stop() {
        watcher.withLock { $0?.cancel() }
    }

    /// Reads every user; users no longer in etcd are removed locally.
    private func reload() async throws -> Int64 {
        let result = try await client.getPrefix(prefix)
        var seen: Set<String> = []
        for keyValue in result.keyValues {
            if let user = user(ofKey: keyValue.key) { seen.insert(user) }
            apply(keyValue.key, keyValue.value)
        }
        for (user, _) in store.users where !seen.contains(user) { apply(key(user), nil) }
        return result.revision
    }

    private func apply(_ key: String, _ value: [UInt8]?) {
        guard let user = user(ofKey: key) else {
            logger.warning("ignoring a malformed credential key", metadata: ["key": "\(key.utf8Prefix(maxBytes: 128))"])
            return
        }
        let credentials: [ScramCredential]
        if let value {
            guard let decoded = decode(user, value) else {
                logger.warning("ignoring a malformed credential value", metadata: ["user": "\(user.utf8Prefix(maxBytes: 128))"])
                return
            }
            credentials = decoded
        } else {
            credentials = []
        }
        do {
            try store.replace(user: user, with: credentials)
        } catch {
            logger.error("cannot write the SCRAM credential store", metadata: ["error": "\(error)"])
        }
    }

    /// Writes `changes` to etcd (each changed user's whole credential list) and to the local
    /// store, so this broker serves them at once.
    func write(_ changes: [(user: String, hash: ScramHash, credential: ScramCredential?)]) async throws {
        var byUser: [String: [ScramHash: ScramCredential]] = [:]
        for user in Set(changes.map(\.user)) {
            for credential in store.credentials(user: user) { byUser[user, default: [:]][credential.hash] = credential }
        }
        for change in changes { byUser[change.user, default: [:]][change.hash] = change.credential }
        for (user, credentials) in byUser {
            if credentials.isEmpty {
                _ = try await client.delete(key(user))
            } else {
                _ = try await client.put(key(user), value: encode(user, Array(credentials.values)))
            }
        }
        try store.apply(changes)
    }
}
