/// Where a cluster keeps its state in etcd, all under `/basalt/<cluster>/`
/// (docs/replication.md lists them with their values):
///
/// | key | value | written by |
/// |---|---|---|
/// | `brokers/<id>` | ``BrokerRecord`` under the broker's lease | the broker |
/// | `controller` | the controller's node id, under its lease | the elected controller |
/// | `topics/<name>` | ``TopicRecord`` | CreateTopics on any broker; the controller adds the assignment |
/// | `partitions/<topic>/<partition>` | ``PartitionState`` | the controller, and the leader for ISR changes |
/// | `acls` | every ACL (``AclSetCodec``) | CreateAcls and DeleteAcls on any broker (``EtcdAclStorage``) |
/// | `credentials/<hex of user name>` | the user's SCRAM credentials (``ClusterCredentials``) | AlterUserScramCredentials on any broker; a broker's start for users only its file has |
struct ClusterKeys: Sendable {
    /// `/basalt/<cluster>/`.
    let root: String

    init(cluster: String) {
        root = "/basalt/\(cluster)/"
    }

    var brokersPrefix: String { root + "brokers/" }
    var topicsPrefix: String { root + "topics/" }
    var partitionsPrefix: String { root + "partitions/" }
    var controller: String { root + "controller" }
    var acls: String { root + "acls" }

    func broker(_ id: Int32) -> String { brokersPrefix + String(id) }
    func topic(_ name: String) -> String { topicsPrefix + name }
    func partition(_ topic: String, _ partition: Int32) -> String { partitionsPrefix + topic + "/" + String(partition) }

    /// What a key under the root names, or `nil` for keys this version does not know (a
    /// newer broker's, or junk), which are ignored.
    func parse(_ key: String) -> ClusterKey? {
        guard key.hasPrefix(root) else { return nil }
        let rest = key.dropFirst(root.count)
        if rest == "controller" { return .controller }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.first {
        case "brokers" where parts.count == 2:
            return Int32(parts[1]).flatMap { $0 >= 0 ? .broker($0) : nil }
        case "topics" where parts.count == 2 && !parts[1].isEmpty:
            return .topic(String(parts[1]))
        case "partitions" where parts.count == 3 && !parts[1].isEmpty:
            return Int32(parts[2]).flatMap { $0 >= 0 ? .partition(String(parts[1]), $0) : nil }
        default:
            return nil
        }
    }
}

/// A parsed cluster key.
enum ClusterKey: Equatable, Sendable {
    case broker(Int32)
    case controller
    case topic(String)
    case partition(String, Int32)
}
