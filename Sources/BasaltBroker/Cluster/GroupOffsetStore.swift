import Basalt
import BasaltEtcd

/// Consumer groups' committed offsets in a cluster, kept in etcd so they survive the loss
/// of any broker (docs/replication.md, "Group offsets").
///
/// One key per group and partition, `/basalt-offsets/<cluster>/<group as hex>/<topic>/<partition>`,
/// holding a ``CommittedOffset`` as JSON; one OffsetCommit request is one transaction, so
/// a commit lands whole or not at all. The keys live outside the cluster prefix the brokers
/// watch, so commits cost no broker anything but the coordinator's write.
///
/// Kafka keeps commits in its replicated `__consumer_offsets` topic. etcd gives the same
/// guarantee here (a commit acknowledged survives any one failure) with far less code; the
/// price is throughput: an etcd transaction per commit request, which suits consumers that
/// commit every few seconds, not per record.
struct GroupOffsetStore: Sendable {
    let client: EtcdClient
    let root: String

    init(client: EtcdClient, cluster: String) {
        self.client = client
        root = "/basalt-offsets/\(cluster)/"
    }

    /// The key prefix of `group`: its UTF-8 bytes in hex, so any group name is one segment.
    func prefix(of group: String) -> String {
        root + group.utf8.map { String($0, radix: 16).leftPadded(to: 2) }.joined() + "/"
    }

    /// Writes every offset in one transaction.
    func commit(group: String, offsets: [TopicPartition: CommittedOffset]) async throws {
        let base = prefix(of: group)
        let operations = offsets.map { partition, offset in
            EtcdTxnOperation.put(key: base + partition.topic + "/" + String(partition.partition),
                                 value: ClusterRecordCodec.encode(offset), leaseID: 0)
        }
        _ = try await client.txn(compare: [], success: operations)
    }

    /// Every committed offset of `group`. A value that does not decode is left out: the
    /// consumer then starts from its reset policy for that partition, as with no commit.
    func committedOffsets(group: String) async throws -> [TopicPartition: CommittedOffset] {
        let base = prefix(of: group)
        let result = try await client.getPrefix(base)
        var offsets: [TopicPartition: CommittedOffset] = [:]
        for keyValue in result.keyValues {
            let rest = keyValue.key.dropFirst(base.count)
            guard let slash = rest.lastIndex(of: "/"), let partition = Int32(rest[rest.index(after: slash)...]),
                  let offset = try? ClusterRecordCodec.decode(CommittedOffset.self, from: keyValue.value, key: keyValue.key) else {
                continue
            }
            offsets[TopicPartition(topic: String(rest[..<slash]), partition: partition)] = offset
        }
        return offsets
    }
}

extension String {
    /// The string with "0"s in front up to `length` characters.
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
