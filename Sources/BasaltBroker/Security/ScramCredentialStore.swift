import Basalt
import Foundation
import Glibc
import Synchronization

/// The users SASL authenticates, with their SCRAM credentials (never passwords), kept in
/// `<data dir>/broker/scram-credentials.json` (mode 0600) and written with ``AtomicFile``.
///
/// File format (one object; keys base64, as in Kafka's own credential records):
///
/// ```json
/// {"version": 1, "credentials": [
///   {"user": "alice", "mechanism": "SCRAM-SHA-256", "iterations": 8192,
///    "salt": "…", "storedKey": "…", "serverKey": "…"}]}
/// ```
///
/// A file that is too large (over 16 MiB), not JSON of this shape, or holds a credential
/// out of range stops the broker with ``BrokerStateFileError`` rather than starting with
/// fewer users than the operator made.
public final class ScramCredentialStore: Sendable {
    /// Where the store lives.
    public let path: String
    private let credentials: Mutex<[String: [ScramHash: ScramCredential]]>

    /// The largest credential file read.
    static let maxFileBytes = 16 << 20
    /// The longest user name, in UTF-8 bytes (a Kafka string holds at most 32767).
    static let maxUserBytes = 1024

    /// One credential as the file and etcd keep it.
    struct FileRecord: Codable {
        var user: String
        var mechanism: String
        var iterations: Int
        var salt: String
        var storedKey: String
        var serverKey: String
    }

    private struct FileContent: Codable {
        var version: Int
        var credentials: [FileRecord]
    }

    /// The store file in `brokerDirectory` (`<data dir>/broker`), empty when absent.
    ///
    /// - Throws: ``BrokerStateFileError`` for a damaged file; ``BasaltError`` when it cannot be read.
    public init(brokerDirectory: String) throws {
        path = brokerDirectory + "/scram-credentials.json"
        let remedy = "Restore it from a backup, or move it away and create the users again."
        guard let bytes = try AtomicFile.read(path, maxBytes: Self.maxFileBytes) else {
            credentials = Mutex([:])
            return
        }
        let content: FileContent
        do {
            content = try JSONDecoder().decode(FileContent.self, from: Data(bytes))
        } catch {
            throw BrokerStateFileError(path: path, reason: "not a credential file: \(error)", remedy: remedy)
        }
        guard content.version == 1 else {
            throw BrokerStateFileError(path: path, reason: "version \(content.version), expected 1", remedy: remedy)
        }
        var loaded: [String: [ScramHash: ScramCredential]] = [:]
        for record in content.credentials {
            switch Self.credential(of: record) {
            case .success(let credential): loaded[record.user, default: [:]][credential.hash] = credential
            case .failure(let problem):
                throw BrokerStateFileError(path: path, reason: "user \(record.user.utf8Prefix(maxBytes: 64)): \(problem.reason)",
                                           remedy: remedy)
            }
        }
        credentials = Mutex(loaded)
    }

    /// Why a record cannot be used.
    struct RecordProblem: Error {
        var reason: String
    }

    /// The credential a record holds, checked.
    static func credential(of record: FileRecord) -> Result<ScramCredential, RecordProblem> {
        guard let mechanism = SaslMechanism(rawValue: record.mechanism), let hash = mechanism.scramHash,
              let salt = Data(base64Encoded: record.salt), let storedKey = Data(base64Encoded: record.storedKey),
              let serverKey = Data(base64Encoded: record.serverKey) else {
            return .failure(RecordProblem(reason: "malformed credential"))
        }
        let credential = ScramCredential(hash: hash, salt: Array(salt), iterations: record.iterations,
                                         storedKey: Array(storedKey), serverKey: Array(serverKey))
        if let problem = credential.validate() ?? validate(user: record.user) { return .failure(RecordProblem(reason: problem)) }
        return .success(credential)
    }

    /// The record of `credential` of `user`.
    static func record(user: String, _ credential: ScramCredential) -> FileRecord {
        FileRecord(user: user, mechanism: credential.hash.mechanism.rawValue, iterations: credential.iterations,
                   salt: Data(credential.salt).base64EncodedString(),
                   storedKey: Data(credential.storedKey).base64EncodedString(),
                   serverKey: Data(credential.serverKey).base64EncodedString())
    }

    /// Replaces every credential of `user` with `credentials` (none: the user is removed),
    /// as the cluster's copy in etcd says, and writes the file.
    func replace(user: String, with credentials: [ScramCredential]) throws {
        var changes: [(user: String, hash: ScramHash, credential: ScramCredential?)] = ScramHash.allCases.map { (user, $0, nil) }
        for credential in credentials { changes.append((user, credential.hash, credential)) }
        try apply(changes)
    }

    /// Why `user` cannot be a user name, or nil when it can.
    static func validate(user: String) -> String? {
        guard !user.isEmpty else { return "empty user name" }
        guard user.utf8.count <= maxUserBytes else { return "user name longer than \(maxUserBytes) bytes" }
        return nil
    }

    /// The credential of `user` for `hash`.
    func credential(user: String, hash: ScramHash) -> ScramCredential? {
        credentials.withLock { $0[user]?[hash] }
    }

    /// Every credential of `user`, SHA-512 first.
    func credentials(user: String) -> [ScramCredential] {
        credentials.withLock { state in
            (state[user] ?? [:]).values.sorted { $0.hash.rawValue > $1.hash.rawValue }
        }
    }

    /// Users and the hashes they have credentials for, sorted by name.
    public var users: [(user: String, credentials: [ScramCredential])] {
        credentials.withLock { state in
            state.keys.sorted().map { user in (user, state[user, default: [:]].values.sorted { $0.hash.rawValue < $1.hash.rawValue }) }
        }
    }

    /// Applies `changes` (set, or delete when the credential is nil) and writes the file;
    /// either all apply or none.
    ///
    /// - Throws: ``BasaltError`` when the file cannot be written; the store is then unchanged.
    public func apply(_ changes: [(user: String, hash: ScramHash, credential: ScramCredential?)]) throws {
        try credentials.withLock { state in
            var next = state
            for change in changes {
                if let credential = change.credential {
                    next[change.user, default: [:]][change.hash] = credential
                } else {
                    next[change.user]?[change.hash] = nil
                    if next[change.user]?.isEmpty == true { next[change.user] = nil }
                }
            }
            try write(next)
            state = next
        }
    }

    private func write(_ all: [String: [ScramHash: ScramCredential]]) throws {
        var records: [FileRecord] = []
        for user in all.keys.sorted() {
            for credential in all[user, default: [:]].values.sorted(by: { $0.hash.rawValue < $1.hash.rawValue }) {
                records.append(Self.record(user: user, credential))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        do {
            bytes = try encoder.encode(FileContent(version: 1, credentials: records))
        } catch {
            preconditionFailure("credential records always encode: \(error)")
        }
        try AtomicFile.replace(path, with: Array(bytes))
        chmod(path, 0o600)
    }
}
