import Basalt
import Foundation

/// The single-node ACL store: `<data dir>/broker/acls.json`, replaced whole with ``AtomicFile``
/// on every change, so a crash leaves the old or the new set.
///
/// ```
/// {"version": 1, "acls": [{"resourceType": 2, "resourceName": "orders", "patternType": 3,
///   "principal": "User:alice", "host": "*", "operation": 3, "permission": 3}, ...]}
/// ```
/// Enum fields hold Kafka's wire codes (``AclResourceType``, ``AclPatternType``, ``AclOperation``,
/// ``AclPermission``). No file means no ACLs yet. A file that is larger than ``maxBytes``, not JSON
/// of this shape or holds an invalid ACL is a ``BrokerStateFileError``: the broker refuses to
/// start, because reading it as "no ACLs" would silently open or close resources.
struct AclFile: Sendable {
    /// The file's path.
    let path: String

    /// The largest file read: about 100,000 ACLs.
    static let maxBytes = 32 << 20
    static let version = 1

    private struct Content: Codable {
        var version: Int
        var acls: [AclBinding]
    }

    /// The file in the broker state directory `directory`.
    init(directory: String) {
        path = directory + "/acls.json"
    }

    /// The stored ACLs; empty when there is no file.
    ///
    /// - Throws: ``BrokerStateFileError`` for a damaged file; ``BasaltError`` for an I/O error.
    func load() throws -> [AclBinding] {
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(path, maxBytes: Self.maxBytes)
        } catch BasaltError.corruptLog(_, _, let reason) {
            throw damaged(reason)
        }
        guard let bytes else { return [] }
        let content: Content
        do {
            content = try JSONDecoder().decode(Content.self, from: Data(bytes))
        } catch {
            throw damaged("not an ACL list: \(error)")
        }
        guard content.version == Self.version else { throw damaged("unknown version \(content.version)") }
        for acl in content.acls {
            if case .failure(let problem) = AclBinding.validated(acl.creation) {
                throw damaged("invalid ACL \(acl): \(problem.message)")
            }
        }
        return content.acls
    }

    /// Replaces the file with `acls`.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)``; the file then holds the old set.
    func save(_ acls: [AclBinding]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(Content(version: Self.version, acls: acls))
        } catch {
            preconditionFailure("ACL bindings always encode: \(error)")
        }
        try AtomicFile.replace(path, with: Array(data))
    }

    private func damaged(_ reason: String) -> BrokerStateFileError {
        BrokerStateFileError(path: path, reason: reason,
                             remedy: "Restore it from a backup, or move it away to start with no ACLs (with the authorizer on, only super users can then do anything).")
    }
}
