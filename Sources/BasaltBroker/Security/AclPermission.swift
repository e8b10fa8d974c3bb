/// Whether an ACL allows or denies, with Kafka's wire codes (`AclPermissionType`).
///
/// `any` only appears in filters. A matching deny beats every allow.
public enum AclPermission: Int8, Sendable, Hashable, CaseIterable, Codable {
    case any = 1
    case deny = 2
    case allow = 3
}
