/// What an ACL allows or denies, with Kafka's wire codes (`AclOperation` in Kafka).
///
/// `any` only appears in filters; `all` in an ACL covers every operation.
public enum AclOperation: Int8, Sendable, Hashable, CaseIterable, Codable {
    case any = 1
    case all = 2
    case read = 3
    case write = 4
    case create = 5
    case delete = 6
    case alter = 7
    case describe = 8
    case clusterAction = 9
    case describeConfigs = 10
    case alterConfigs = 11
    case idempotentWrite = 12

    /// The operations whose allow ACL also allows this one, this one included (Kafka's
    /// implications): Read, Write, Delete and Alter imply Describe; AlterConfigs implies
    /// DescribeConfigs. `all` is matched separately.
    ///
    /// Only allows imply: a deny on Read does not deny Describe.
    var impliedBy: Set<AclOperation> {
        switch self {
        case .describe: [.describe, .read, .write, .delete, .alter]
        case .describeConfigs: [.describeConfigs, .alterConfigs]
        default: [self]
        }
    }

    /// The operations a topic supports, as Kafka reports them in authorized-operations fields.
    static let onTopic: [AclOperation] = [.read, .write, .create, .delete, .alter, .describe, .describeConfigs, .alterConfigs]
    /// The operations a group supports.
    static let onGroup: [AclOperation] = [.read, .delete, .describe]
    /// The operations the cluster supports.
    static let onCluster: [AclOperation] = [.create, .alter, .describe, .clusterAction, .describeConfigs, .alterConfigs,
                                           .idempotentWrite]

    /// Kafka's authorized-operations bit field with bit `code` set for each of `operations`.
    static func bits(_ operations: [AclOperation]) -> Int32 {
        operations.reduce(0) { $0 | (1 << Int32($1.rawValue)) }
    }

    /// Kafka's name, as `kafka-acls.sh` and the AdminClients print it.
    public var name: String {
        switch self {
        case .any: "Any"
        case .all: "All"
        case .read: "Read"
        case .write: "Write"
        case .create: "Create"
        case .delete: "Delete"
        case .alter: "Alter"
        case .describe: "Describe"
        case .clusterAction: "ClusterAction"
        case .describeConfigs: "DescribeConfigs"
        case .alterConfigs: "AlterConfigs"
        case .idempotentWrite: "IdempotentWrite"
        }
    }
}
