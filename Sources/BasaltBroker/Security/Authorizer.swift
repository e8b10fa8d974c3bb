import Synchronization

/// Decides whether a principal may do an operation on a resource, over the broker's ACL set.
///
/// Reads (every request's check) take a lock and scan the set with ``AclMatcher``; changes
/// (CreateAcls, DeleteAcls) are serialised by ``AclChanges``, written to ``AclStorage`` first
/// and applied in memory only once stored, so what a client was told succeeded is durable.
/// In a cluster, ``replaceAll(_:)`` applies the set another broker stored.
public final class Authorizer: Sendable {
    /// The rule and the settings it applies.
    public let matcher: AclMatcher
    private let acls: Mutex<[AclBinding]>
    private let changes: AclChanges

    /// The most ACLs kept: a CreateAcls past it is refused, so the set (scanned on every
    /// check) and its file stay bounded.
    public static let maxAcls = 100_000
    /// The most bytes the set's strings may take: with names of up to 32 KiB a count limit alone
    /// would let the set (its file, a DescribeAcls answer) grow to gigabytes. Below
    /// ``AclFile/maxBytes`` with room for the JSON around them.
    public static let maxAclBytes = 16 << 20

    init(settings: AuthorizationSettings, storage: any AclStorage, initial: [AclBinding]) {
        matcher = AclMatcher(superUsers: settings.superUsers, allowEveryoneIfNoAclFound: settings.allowEveryoneIfNoAclFound)
        acls = Mutex(initial)
        changes = AclChanges(storage: storage)
    }

    /// Opens the authorizer with the ACLs `storage` holds.
    ///
    /// - Throws: what ``AclStorage/load()`` throws (a damaged file: ``BrokerStateFileError``).
    static func open(settings: AuthorizationSettings, storage: any AclStorage) async throws -> Authorizer {
        Authorizer(settings: settings, storage: storage, initial: try await storage.load())
    }

    /// Whether `principal` from `host` may do `operation` on `resource`.
    public func authorize(_ principal: KafkaPrincipal, host: String?, _ operation: AclOperation, _ resource: AclResource) -> Bool {
        if matcher.superUsers.contains(principal) { return true }
        return acls.withLock { matcher.authorize($0, principal: principal, host: host, operation: operation, resource: resource) }
    }

    /// Whether `principal` from `host` may do `operation` on some resource of `type`.
    public func authorizeAny(_ principal: KafkaPrincipal, host: String?, _ operation: AclOperation, type: AclResourceType) -> Bool {
        if matcher.superUsers.contains(principal) { return true }
        return acls.withLock { matcher.authorizeAny($0, principal: principal, host: host, operation: operation, type: type) }
    }

    /// The ACLs `filter` matches, in the order they were created.
    public func describe(_ filter: AclBindingFilter) -> [AclBinding] {
        acls.withLock { $0.filter(filter.matches) }
    }

    /// Every ACL.
    public var all: [AclBinding] { acls.withLock { $0 } }

    /// Adds `bindings` (ones already present are kept once) and stores the set.
    ///
    /// - Throws: ``AclChangeError/tooManyAcls`` past ``maxAcls``; the storage's error, and then
    ///   nothing changed.
    func create(_ bindings: [AclBinding]) async throws {
        try await changes.apply(to: self) { current throws(AclChangeError) in
            var seen = Set(current)
            var next = current
            for binding in bindings where seen.insert(binding).inserted { next.append(binding) }
            guard next.count <= Self.maxAcls, Self.stringBytes(next) <= Self.maxAclBytes else {
                throw .tooManyAcls(limit: Self.maxAcls)
            }
            return (next, ())
        }
    }

    /// Deletes every ACL one of `filters` matches and stores the set.
    ///
    /// - Returns: for each filter, the ACLs it matched (an ACL two filters match is listed under both).
    /// - Throws: the storage's error, and then nothing changed.
    func delete(_ filters: [AclBindingFilter]) async throws -> [[AclBinding]] {
        try await changes.apply(to: self) { current throws(AclChangeError) in
            let matched = filters.map { filter in current.filter(filter.matches) }
            return (current.filter { acl in !filters.contains { $0.matches(acl) } }, matched)
        }
    }

    /// The UTF-8 bytes of the strings in `acls`.
    static func stringBytes(_ acls: [AclBinding]) -> Int {
        acls.reduce(0) { $0 + $1.resourceName.utf8.count + $1.principal.utf8.count + $1.host.utf8.count }
    }

    /// Replaces the set in memory (a cluster broker applying what etcd holds).
    func replaceAll(_ bindings: [AclBinding]) {
        acls.withLock { $0 = bindings }
    }
}

/// Serialises ACL changes: read the set, compute the next, store it, then apply it.
actor AclChanges {
    private let storage: any AclStorage

    init(storage: any AclStorage) {
        self.storage = storage
    }

    /// The most times a change is recomputed because another broker changed the set first.
    static let maxConflicts = 10

    /// Computes the next set from the current one with `change`, stores it and applies it;
    /// returns what `change` reported beside the set. When the stored set changed meanwhile
    /// (``AclStorageConflict``) it is read again and the change recomputed on it.
    func apply<Report: Sendable>(
        to authorizer: Authorizer, _ change: @Sendable ([AclBinding]) throws(AclChangeError) -> ([AclBinding], Report)
    ) async throws -> Report {
        var conflicts = 0
        while true {
            let (next, report) = try change(authorizer.all)
            do {
                try await storage.save(next)
                authorizer.replaceAll(next)
                return report
            } catch is AclStorageConflict where conflicts < Self.maxConflicts {
                conflicts += 1
                authorizer.replaceAll(try await storage.load())
            }
        }
    }
}

/// Why an ACL change was refused before anything was stored.
enum AclChangeError: Error, Sendable, Equatable {
    /// The set would grow past ``Authorizer/maxAcls`` ACLs or ``Authorizer/maxAclBytes`` bytes.
    case tooManyAcls(limit: Int)
}
