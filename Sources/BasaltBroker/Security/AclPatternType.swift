/// How an ACL's resource name is matched, with Kafka's wire codes (`PatternType`).
///
/// An ACL is `literal` (the name, or `*` for every resource of its type) or `prefixed`
/// (every name starting with it). `any` and `match` only appear in filters: `any` matches
/// ACLs of every pattern type by their stored name; `match` matches the ACLs that would
/// apply to the filter's resource name (literal equal, literal `*`, prefixed prefix of it).
public enum AclPatternType: Int8, Sendable, Hashable, CaseIterable, Codable {
    case any = 1
    case match = 2
    case literal = 3
    case prefixed = 4
}
