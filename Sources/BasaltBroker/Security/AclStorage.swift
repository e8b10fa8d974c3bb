/// Where the ACL set is kept between runs: ``AclFile`` on one node, etcd in a cluster.
protocol AclStorage: Sendable {
    /// The stored set.
    func load() async throws -> [AclBinding]
    /// Replaces the stored set with `acls`; on a throw the stored set is unchanged.
    func save(_ acls: [AclBinding]) async throws
}

extension AclFile: AclStorage {}
