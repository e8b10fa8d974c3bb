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

    /// The groups with at least one committed offset, decoded from the keys under ``root``.
    /// A key whose group segment is not hex of valid UTF-8 is not one this store wrote, and
    /// is left out.
    func groupNames() async throws -> Set<String> {
        let result = try await client.getPrefix(root)
        var names: Set<String> = []
        for keyValue in result.keyValues {
            let rest = keyValue.key.utf8.dropFirst(root.utf8.count)
            guard let slash = rest.firstIndex(of: UInt8(ascii: "/")),
                  let name = Self.decodeHex(rest[..<slash]) else { continue }
            names.insert(name)
        }
        return names
    }

    /// Deletes every committed offset of `group`.
    func deleteGroup(_ group: String) async throws {
        try await client.deletePrefix(prefix(of: group))
    }

    /// Deletes the committed offsets of `partitions` of `group`, in one transaction.
    func delete(group: String, partitions: [TopicPartition]) async throws {
        guard !partitions.isEmpty else { return }
        let base = prefix(of: group)
        _ = try await client.txn(compare: [], success: partitions.map {
            EtcdTxnOperation.delete(key: base + $0.topic + "/" + String($0.partition))
        })
    }

    /// The string whose UTF-8 bytes `hex` spells two lowercase digits per byte (``prefix(of:)``).
    static func decodeHex(_ hex: Substring.UTF8View.SubSequence) -> String? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index != hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let text = String(hex[index..<next]), let byte = UInt8(text, radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension String {
    /// The string with "0"s in front up to `length` characters.
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
