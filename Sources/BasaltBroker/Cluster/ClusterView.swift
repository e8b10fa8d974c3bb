import Basalt
import BasaltEtcd

/// One broker's picture of the cluster at an etcd revision: who is alive, who controls,
/// which topics exist and the state of every partition.
///
/// Built from a prefix read and kept current by applying the watch's events in order. A
/// value the broker cannot read is left out and reported in ``problems``: one bad record
/// must not blind the broker to the rest.
struct ClusterView: Sendable, Equatable {
    /// A partition's state and the etcd revision it was written at, which a compare-and-swap
    /// must name.
    struct VersionedState: Sendable, Equatable {
        var state: PartitionState
        var modRevision: Int64
    }

    var revision: Int64 = 0
    /// The revision of the last full read; watch events at or below it are already in.
    var snapshotRevision: Int64 = 0
    var brokers: [Int32: BrokerRecord] = [:]
    var controller: Int32?
    var topics: [String: TopicRecord] = [:]
    var topicRevisions: [String: Int64] = [:]
    var partitions: [TopicPartition: VersionedState] = [:]
    /// The latest unreadable value per key, for logs.
    var problems: [String: ClusterRecordError] = [:]

    var liveBrokers: Set<Int32> { Set(brokers.keys) }

    /// Applies one key's new value (`nil` = deleted).
    mutating func apply(key: String, value: [UInt8]?, modRevision: Int64, keys: ClusterKeys) {
        guard let parsed = keys.parse(key) else { return }
        problems[key] = nil
        do throws(ClusterRecordError) {
            switch parsed {
            case .broker(let id):
                if let value {
                    let record = try ClusterRecordCodec.decode(BrokerRecord.self, from: value, key: key)
                    try record.validate(key: key)
                    brokers[id] = record
                } else {
                    brokers[id] = nil
                }
            case .controller:
                if let value {
                    guard let id = Int32(String(decoding: value, as: UTF8.self)), id >= 0 else {
                        throw .malformed(key: key, reason: "not a node id")
                    }
                    controller = id
                } else {
                    controller = nil
                }
            case .topic(let name):
                if let value {
                    let record = try ClusterRecordCodec.decode(TopicRecord.self, from: value, key: key)
                    try record.validate(key: key)
                    topics[name] = record
                    topicRevisions[name] = modRevision
                } else {
                    topics[name] = nil
                    topicRevisions[name] = nil
                    partitions = partitions.filter { $0.key.topic != name }
                }
            case .partition(let topic, let partition):
                let id = TopicPartition(topic: topic, partition: partition)
                if let value {
                    let state = try ClusterRecordCodec.decode(PartitionState.self, from: value, key: key)
                    do {
                        try state.validate()
                    } catch {
                        throw .malformed(key: key, reason: "\(error)")
                    }
                    partitions[id] = VersionedState(state: state, modRevision: modRevision)
                } else {
                    partitions[id] = nil
                }
            }
        } catch {
            problems[key] = error
        }
        revision = max(revision, modRevision)
    }

    /// The partitions of `topic` in order, or `nil` until every one has a state.
    func partitionStates(of topic: String) -> [PartitionState]? {
        guard let record = topics[topic] else { return nil }
        var states: [PartitionState] = []
        states.reserveCapacity(Int(record.partitions))
        for index in 0..<record.partitions {
            guard let versioned = partitions[TopicPartition(topic: topic, partition: index)] else { return nil }
            states.append(versioned.state)
        }
        return states
    }
}
