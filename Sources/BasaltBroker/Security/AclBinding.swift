import BasaltKafka

/// One ACL: a resource pattern and an entry saying who, from where, may or may not do what.
///
/// Kafka's `AclBinding`: `(resourceType, resourceName, patternType)` is the pattern;
/// `(principal, host, operation, permission)` the access control entry. Principals and hosts are
/// kept as the client sent them (`User:alice`, `User:*`, `*`, `10.0.0.1`) so DescribeAcls
/// returns them unchanged.
public struct AclBinding: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Topic, group, cluster or transactional id; never `any`.
    public var resourceType: AclResourceType
    /// The name, `*` (literal only) for every resource of the type, or a prefix.
    public var resourceName: String
    /// Literal or prefixed; never `any` or `match`.
    public var patternType: AclPatternType
    /// `Type:Name`, or `User:*` for every principal.
    public var principal: String
    /// An IP address, or `*` for every host.
    public var host: String
    /// The operation; never `any`.
    public var operation: AclOperation
    /// Allow or deny; never `any`.
    public var permission: AclPermission

    /// The only name the cluster resource has, as in Kafka.
    public static let clusterName = "kafka-cluster"
    /// The resource name that makes a literal ACL cover every resource of its type.
    public static let wildcardResource = "*"
    /// The principal that matches every principal.
    public static let wildcardPrincipal = "User:*"
    /// The host that matches every host.
    public static let wildcardHost = "*"

    /// Creates a binding; use ``validated(_:)`` for one that came from outside.
    public init(resourceType: AclResourceType, resourceName: String, patternType: AclPatternType = .literal,
                principal: String, host: String = "*", operation: AclOperation, permission: AclPermission) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// The binding a CreateAcls entry describes, or why it is not one (Kafka answers
    /// INVALID_REQUEST with that message).
    public static func validated(_ creation: CreateAclsRequest.Creation) -> Result<AclBinding, AclValidationError> {
        guard let type = AclResourceType(rawValue: creation.resourceType), type != .any else {
            return .failure(AclValidationError("invalid resource type \(creation.resourceType)"))
        }
        guard let pattern = AclPatternType(rawValue: creation.patternType), pattern == .literal || pattern == .prefixed else {
            return .failure(AclValidationError("invalid pattern type \(creation.patternType): an ACL is LITERAL or PREFIXED"))
        }
        guard let operation = AclOperation(rawValue: creation.operation), operation != .any else {
            return .failure(AclValidationError("invalid operation \(creation.operation)"))
        }
        guard let permission = AclPermission(rawValue: creation.permissionType), permission != .any else {
            return .failure(AclValidationError("invalid permission type \(creation.permissionType)"))
        }
        guard !creation.resourceName.isEmpty else { return .failure(AclValidationError("empty resource name")) }
        if type == .cluster, creation.resourceName != clusterName {
            return .failure(AclValidationError("the only valid name for the CLUSTER resource is \(clusterName)"))
        }
        guard KafkaPrincipal(parsing: creation.principal) != nil else {
            return .failure(AclValidationError("invalid principal, expected Type:Name"))
        }
        guard !creation.host.isEmpty else { return .failure(AclValidationError("empty host")) }
        return .success(AclBinding(resourceType: type, resourceName: creation.resourceName, patternType: pattern,
                                   principal: creation.principal, host: creation.host, operation: operation,
                                   permission: permission))
    }

    /// Whether this ACL's pattern covers `resource`: same type, and the name equal (literal),
    /// `*` (literal) or a prefix of it (prefixed).
    public func covers(_ resource: AclResource) -> Bool {
        guard resourceType == resource.type else { return false }
        switch patternType {
        case .literal: return resourceName == resource.name || resourceName == Self.wildcardResource
        case .prefixed: return resource.name.hasPrefix(resourceName)
        case .any, .match: return false
        }
    }

    /// This binding as a CreateAcls entry (wire codes).
    public var creation: CreateAclsRequest.Creation {
        CreateAclsRequest.Creation(resourceType: resourceType.rawValue, resourceName: resourceName,
                                   patternType: patternType.rawValue, principal: principal, host: host,
                                   operation: operation.rawValue, permissionType: permission.rawValue)
    }

    public var description: String {
        "(\(resourceType):\(patternType):\(resourceName), \(principal)@\(host) \(permission) \(operation.name))"
    }
}

/// Why a CreateAcls entry or an ACL filter is not valid; its text goes back to the client.
public struct AclValidationError: Error, Sendable, Equatable {
    /// What is wrong.
    public var message: String

    init(_ message: String) { self.message = message }
}
