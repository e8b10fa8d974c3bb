/// The kind of resource an ACL protects, with Kafka's wire codes (`ResourceType`).
///
/// `any` only appears in filters. The cluster resource is always named `kafka-cluster`.
public enum AclResourceType: Int8, Sendable, Hashable, CaseIterable, Codable {
    case any = 1
    case topic = 2
    case group = 3
    case cluster = 4
    case transactionalId = 5
}
