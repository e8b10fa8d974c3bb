/// A concrete resource a request acts on: a topic, group, transactional id or the cluster.
public struct AclResource: Sendable, Hashable, CustomStringConvertible {
    /// The kind; never `any`.
    public var type: AclResourceType
    /// The name (`kafka-cluster` for the cluster).
    public var name: String

    /// The resource `name` of `type`.
    public init(_ type: AclResourceType, _ name: String) {
        precondition(type != .any, "a concrete resource has a concrete type")
        self.type = type
        self.name = name
    }

    /// The topic `name`.
    public static func topic(_ name: String) -> AclResource { AclResource(.topic, name) }
    /// The consumer group `name`.
    public static func group(_ name: String) -> AclResource { AclResource(.group, name) }
    /// The transactional id `name`.
    public static func transactionalId(_ name: String) -> AclResource { AclResource(.transactionalId, name) }
    /// The cluster, Kafka's `kafka-cluster`.
    public static let cluster = AclResource(.cluster, AclBinding.clusterName)

    public var description: String { "\(type):\(name)" }
}
