/// Where the ACL set is kept between runs: ``AclFile`` on one node, ``EtcdAclStorage`` in a cluster.
protocol AclStorage: Sendable {
    /// The stored set.
    func load() async throws -> [AclBinding]
    /// Replaces the stored set with `acls`; on a throw the stored set is unchanged.
    /// ``AclStorageConflict`` means another writer changed it since it was last read.
    func save(_ acls: [AclBinding]) async throws
}

/// The stored ACL set changed since this broker last read it (another broker's CreateAcls or
/// DeleteAcls): read it again and recompute the change.
struct AclStorageConflict: Error, Sendable {}
