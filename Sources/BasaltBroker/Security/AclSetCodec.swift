import Foundation

/// The stored form of an ACL set, shared by ``AclFile`` (one node) and ``EtcdAclStorage`` (a
/// cluster's `acls` key):
///
/// ```
/// {"version": 1, "acls": [{"resourceType": 2, "resourceName": "orders", "patternType": 3,
///   "principal": "User:alice", "host": "*", "operation": 3, "permission": 3}, ...]}
/// ```
/// Enum fields hold Kafka's wire codes (``AclResourceType``, ``AclPatternType``, ``AclOperation``,
/// ``AclPermission``). Decoding checks every ACL as CreateAcls would.
enum AclSetCodec {
    static let version = 1

    private struct Content: Codable {
        var version: Int
        var acls: [AclBinding]
    }

    /// `acls` as stored bytes.
    static func encode(_ acls: [AclBinding]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return Array(try encoder.encode(Content(version: version, acls: acls)))
        } catch {
            preconditionFailure("ACL bindings always encode: \(error)")
        }
    }

    /// The ACLs in `bytes`.
    ///
    /// - Throws: ``AclSetDecodingError`` saying what is wrong.
    static func decode(_ bytes: [UInt8]) throws(AclSetDecodingError) -> [AclBinding] {
        let content: Content
        do {
            content = try JSONDecoder().decode(Content.self, from: Data(bytes))
        } catch {
            throw AclSetDecodingError(reason: "not an ACL list: \(error)")
        }
        guard content.version == version else { throw AclSetDecodingError(reason: "unknown version \(content.version)") }
        for acl in content.acls {
            if case .failure(let problem) = AclBinding.validated(acl.creation) {
                throw AclSetDecodingError(reason: "invalid ACL \(acl): \(problem.message)")
            }
        }
        return content.acls
    }
}

/// Why stored bytes are not an ACL set.
struct AclSetDecodingError: Error, Sendable {
    var reason: String
}
