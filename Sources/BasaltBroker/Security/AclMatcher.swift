/// Kafka's authorisation rule over a set of ACLs, without state or I/O.
///
/// For a principal acting from a host, an operation on a resource is allowed when:
/// 1. the principal is a super user; otherwise
/// 2. no ACL covers the resource at all: `allow.everyone.if.no.acl.found` decides; otherwise
/// 3. a deny ACL matches (principal or `User:*`, host or `*`, the operation or `All`): denied,
///    whatever allows also match (deny wins); otherwise
/// 4. an allow ACL matches, where allows imply: Read, Write, Delete and Alter allow Describe,
///    AlterConfigs allows DescribeConfigs, and All allows everything; otherwise denied.
///
/// An ACL covers a resource when its type is the resource's and its name is equal (literal),
/// `*` (literal) or a prefix of the name (prefixed).
public struct AclMatcher: Sendable {
    /// Principals allowed everything (`super.users`).
    public var superUsers: Set<KafkaPrincipal>
    /// Whether a resource no ACL covers is open to everyone (`allow.everyone.if.no.acl.found`).
    public var allowEveryoneIfNoAclFound: Bool

    /// A matcher with these settings.
    public init(superUsers: Set<KafkaPrincipal> = [], allowEveryoneIfNoAclFound: Bool = false) {
        self.superUsers = superUsers
        self.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound
    }

    /// Whether `principal`, connected from `host` (a normalised IP address, nil when unknown),
    /// may do `operation` on `resource` under `acls`.
    ///
    /// Cost: one pass over `acls`.
    public func authorize(_ acls: some Sequence<AclBinding>, principal: KafkaPrincipal, host: String?,
                          operation: AclOperation, resource: AclResource) -> Bool {
        precondition(operation != .any, "a request asks for a concrete operation")
        if superUsers.contains(principal) { return true }
        let allowing = operation.impliedBy
        var anyCovers = false
        var allowed = false
        for acl in acls where acl.covers(resource) {
            anyCovers = true
            guard Self.matchesIdentity(acl, principal: principal, host: host) else { continue }
            switch acl.permission {
            case .deny:
                if acl.operation == operation || acl.operation == .all { return false }
            case .allow:
                if acl.operation == .all || allowing.contains(acl.operation) { allowed = true }
            case .any:
                continue
            }
        }
        return anyCovers ? allowed : allowEveryoneIfNoAclFound
    }

    /// Whether `principal` may do `operation` on some resource of `type`: Kafka's
    /// `authorizeByResourceType`, used where a request needs the right on any topic (an
    /// idempotent producer's InitProducerId needs Write on some topic).
    ///
    /// Allowed for a super user; denied when a deny ACL covers every resource of the type (literal
    /// `*` or prefixed empty); otherwise allowed when some allow ACL for the operation (or one
    /// implying it) matches, or, with `allow.everyone.if.no.acl.found`, when no ACL of the type exists.
    public func authorizeAny(_ acls: some Sequence<AclBinding>, principal: KafkaPrincipal, host: String?,
                             operation: AclOperation, type: AclResourceType) -> Bool {
        if superUsers.contains(principal) { return true }
        let allowing = operation.impliedBy
        var anyOfType = false
        var allowed = false
        for acl in acls where acl.resourceType == type {
            anyOfType = true
            guard Self.matchesIdentity(acl, principal: principal, host: host) else { continue }
            let coversAll = (acl.patternType == .literal && acl.resourceName == AclBinding.wildcardResource)
                || (acl.patternType == .prefixed && acl.resourceName.isEmpty)
            switch acl.permission {
            case .deny:
                if coversAll, acl.operation == operation || acl.operation == .all { return false }
            case .allow:
                if acl.operation == .all || allowing.contains(acl.operation) { allowed = true }
            case .any:
                continue
            }
        }
        return allowed || (!anyOfType && allowEveryoneIfNoAclFound)
    }

    /// Whether `acl`'s principal and host match the request's.
    static func matchesIdentity(_ acl: AclBinding, principal: KafkaPrincipal, host: String?) -> Bool {
        guard acl.principal == AclBinding.wildcardPrincipal || acl.principal == principal.description else { return false }
        if acl.host == AclBinding.wildcardHost { return true }
        guard let host else { return false }
        return acl.host == host || PeerAddress.normalized(acl.host) == host
    }
}
