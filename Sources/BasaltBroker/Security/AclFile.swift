import Basalt

/// The single-node ACL store: `<data dir>/broker/acls.json` in ``AclSetCodec``'s form, replaced
/// whole with ``AtomicFile`` on every change, so a crash leaves the old or the new set.
///
/// No file means no ACLs yet. A file larger than ``maxBytes``, or not an ACL set, is a
/// ``BrokerStateFileError``: the broker refuses to start, because reading it as "no ACLs"
/// would silently change who may do what.
struct AclFile: AclStorage {
    /// The file's path.
    let path: String

    /// The largest file read: about 100,000 ACLs.
    static let maxBytes = 32 << 20

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
        do {
            return try AclSetCodec.decode(bytes)
        } catch {
            throw damaged(error.reason)
        }
    }

    /// Replaces the file with `acls`.
    ///
    /// - Throws: ``BasaltError/io(operation:path:errno:)``; the file then holds the old set.
    func save(_ acls: [AclBinding]) throws {
        try AtomicFile.replace(path, with: AclSetCodec.encode(acls))
    }

    private func damaged(_ reason: String) -> BrokerStateFileError {
        BrokerStateFileError(path: path, reason: reason,
                             remedy: "Restore it from a backup, or move it away to start with no ACLs (with the authorizer on, only super users can then do anything).")
    }
}
