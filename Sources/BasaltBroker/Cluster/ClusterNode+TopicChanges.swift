import Basalt
import BasaltEtcd
import BasaltKafka

extension ClusterNode {
    /// Grows a topic to `count` partitions: writes its record in etcd with the new count,
    /// compared against the revision this broker read, so two changes made at once cannot
    /// both apply. Without `assignment` the record is left unassigned for the new
    /// partitions and the controller places them (the fenced path CreateTopics takes);
    /// with one (validated here: distinct live brokers, the topic's replication factor)
    /// the controller creates their states. Every broker hosting the topic grows its local
    /// copy when it sees the record. Waits (up to `timeout`) until every new partition has
    /// a state, so a client producing right after finds leaders. With `validateOnly` it
    /// makes the checks and writes nothing.
    func addPartitions(
        _ name: String, count: Int32, assignment: [[Int32]]?, validateOnly: Bool, timeout: Duration
    ) async -> TopicOutcome {
        let view = metadata.view
        guard let record = view.topics[name], let revision = view.topicRevisions[name] else {
            return TopicOutcome(code: .unknownTopicOrPartition, message: "unknown topic \(name)")
        }
        guard record.isAssigned else {
            return TopicOutcome(code: .requestTimedOut, message: "the controller has not placed topic \(name) yet; retry")
        }
        guard count > record.partitions else {
            return TopicOutcome(code: .invalidPartitions,
                                message: "topic \(name) has \(record.partitions) partitions; the new count must be larger, got \(count)")
        }
        var grown = record
        grown.partitions = count
        if let assignment {
            let live = view.liveBrokers
            guard assignment.count == Int(count - record.partitions),
                  assignment.allSatisfy({ $0.count == record.replicationFactor && Set($0).count == $0.count && $0.allSatisfy(live.contains) }) else {
                return TopicOutcome(code: .invalidReplicaAssignment,
                                    message: "each new partition needs \(record.replicationFactor) distinct live brokers; live: \(live.sorted())")
            }
            grown.assignment += assignment
        }
        do {
            try grown.validate(key: keys.topic(name))
        } catch {
            return TopicOutcome(code: .invalidPartitions, message: "\(error)")
        }
        if validateOnly { return TopicOutcome(code: .noError) }
        if let failure = await replaceTopicRecord(name, with: grown, revision: revision) { return failure }
        guard timeout > .zero else { return TopicOutcome(code: .noError) }
        let ready = await metadata.waitFor(timeout: timeout) { view in view.partitionStates(of: name)?.count == Int(count) }
        return ready == nil ? TopicOutcome(code: .requestTimedOut, message: "the controller has not placed the new partitions yet")
            : TopicOutcome(code: .noError)
    }

    /// Replaces a topic's dynamic configs (already validated) in its etcd record; every
    /// broker hosting it applies them to its partitions when it sees the record.
    func alterTopicConfigs(_ name: String, configs: [String: String]) async -> TopicOutcome {
        let view = metadata.view
        guard var record = view.topics[name], let revision = view.topicRevisions[name] else {
            return TopicOutcome(code: .unknownTopicOrPartition, message: "unknown topic \(name)")
        }
        record.configs = configs
        do {
            try record.validate(key: keys.topic(name))
        } catch {
            return TopicOutcome(code: .invalidConfig, message: "\(error)")
        }
        return await replaceTopicRecord(name, with: record, revision: revision) ?? TopicOutcome(code: .noError)
    }

    /// Writes `record` under the topic's key if it is still at `revision`; nil on success.
    private func replaceTopicRecord(_ name: String, with record: TopicRecord, revision: Int64) async -> TopicOutcome? {
        do {
            let result = try await client.txn(
                compare: [.modRevision(of: keys.topic(name), .equal, revision)],
                success: [.put(key: keys.topic(name), value: ClusterRecordCodec.encode(record), leaseID: 0)])
            guard result.succeeded else {
                return TopicOutcome(code: .requestTimedOut, message: "topic \(name) changed meanwhile; retry")
            }
            return nil
        } catch {
            return TopicOutcome(code: .requestTimedOut, message: "etcd: \(error)")
        }
    }
}
