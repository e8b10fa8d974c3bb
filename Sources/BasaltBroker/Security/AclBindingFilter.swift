import BasaltKafka

/// A filter over ACLs, as DescribeAcls and DeleteAcls carry one (Kafka's `AclBindingFilter`).
///
/// `nil` strings and the `any` enum values match everything. A `match` pattern type matches
/// every ACL that would apply to the filter's resource name: literal equal, literal `*`, and
/// prefixed patterns that are a prefix of it. Other pattern types match ACLs of exactly that
/// pattern type and exactly that name.
public struct AclBindingFilter: Sendable, Hashable {
    public var resourceType: AclResourceType
    public var resourceName: String?
    public var patternType: AclPatternType
    public var principal: String?
    public var host: String?
    public var operation: AclOperation
    public var permission: AclPermission

    /// Creates a filter.
    public init(resourceType: AclResourceType = .any, resourceName: String? = nil, patternType: AclPatternType = .any,
                principal: String? = nil, host: String? = nil, operation: AclOperation = .any,
                permission: AclPermission = .any) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// The filter the wire fields describe, or why they do not describe one (an unknown
    /// enum value: Kafka answers INVALID_REQUEST).
    public static func validated(_ fields: AclFilterFields) -> Result<AclBindingFilter, AclValidationError> {
        guard let type = AclResourceType(rawValue: fields.resourceType) else {
            return .failure(AclValidationError("invalid resource type filter \(fields.resourceType)"))
        }
        guard let pattern = AclPatternType(rawValue: fields.patternType) else {
            return .failure(AclValidationError("invalid pattern type filter \(fields.patternType)"))
        }
        guard let operation = AclOperation(rawValue: fields.operation) else {
            return .failure(AclValidationError("invalid operation filter \(fields.operation)"))
        }
        guard let permission = AclPermission(rawValue: fields.permissionType) else {
            return .failure(AclValidationError("invalid permission type filter \(fields.permissionType)"))
        }
        return .success(AclBindingFilter(resourceType: type, resourceName: fields.resourceName, patternType: pattern,
                                         principal: fields.principal, host: fields.host, operation: operation,
                                         permission: permission))
    }

    /// Whether `acl` passes this filter.
    public func matches(_ acl: AclBinding) -> Bool {
        matchesPattern(acl) && matchesEntry(acl)
    }

    private func matchesPattern(_ acl: AclBinding) -> Bool {
        guard resourceType == .any || resourceType == acl.resourceType else { return false }
        guard patternType == .any || patternType == .match || patternType == acl.patternType else { return false }
        guard let resourceName else { return true }
        if patternType == .any || patternType == acl.patternType { return resourceName == acl.resourceName }
        // `match`: the ACLs that would apply to a resource named `resourceName`.
        switch acl.patternType {
        case .literal: return resourceName == acl.resourceName || acl.resourceName == AclBinding.wildcardResource
        case .prefixed: return resourceName.hasPrefix(acl.resourceName)
        case .any, .match: return false
        }
    }

    private func matchesEntry(_ acl: AclBinding) -> Bool {
        if let principal, principal != acl.principal { return false }
        if let host, host != acl.host { return false }
        guard operation == .any || operation == acl.operation else { return false }
        return permission == .any || permission == acl.permission
    }
}
