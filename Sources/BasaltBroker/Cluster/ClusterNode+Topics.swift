import Basalt
import BasaltEtcd
import BasaltKafka

extension ClusterNode {
    /// What creating or deleting a topic in the cluster answered.
    struct TopicOutcome: Equatable {
        var code: KafkaErrorCode
        var message: String?
    }

    /// Records a new topic in etcd for the controller to place, and waits (up to `timeout`)
    /// until every partition has a state, so clients that produce right after CreateTopics
    /// find leaders. With `timeout` zero it does not wait (auto-creation: the client retries
    /// on LEADER_NOT_AVAILABLE).
    func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int, assignment: [[Int32]],
        configs: [String: String], timeout: Duration
    ) async -> TopicOutcome {
        var live = metadata.view.liveBrokers
        if replicationFactor > live.count || !assignment.allSatisfy({ $0.allSatisfy(live.contains) }) {
            // This broker's view may trail etcd by a registration or two: read it afresh
            // before refusing.
            try? await metadata.refresh()
            live = metadata.view.liveBrokers
        }
        if assignment.isEmpty {
            guard replicationFactor >= 1, replicationFactor <= live.count else {
                return TopicOutcome(code: .invalidReplicationFactor,
                                    message: "replication factor \(replicationFactor) with \(live.count) live brokers")
            }
        } else {
            guard assignment.count == Int(partitions),
                  assignment.allSatisfy({ !$0.isEmpty && Set($0).count == $0.count && $0.allSatisfy(live.contains) }) else {
                return TopicOutcome(code: .invalidReplicaAssignment,
                                    message: "each partition needs distinct live brokers; live: \(live.sorted())")
            }
        }
        let record = TopicRecord(partitions: partitions, replicationFactor: assignment.first?.count ?? replicationFactor,
                                 assignment: assignment, configs: configs)
        do {
            try record.validate(key: keys.topic(name))
        } catch {
            return TopicOutcome(code: .invalidRequest, message: "\(error)")
        }
        do {
            let result = try await client.createIfAbsent(keys.topic(name), value: ClusterRecordCodec.encode(record))
            guard result.succeeded else { return TopicOutcome(code: .topicAlreadyExists, message: "topic \(name) already exists") }
        } catch {
            return TopicOutcome(code: .requestTimedOut, message: "etcd: \(error)")
        }
        guard timeout > .zero else { return TopicOutcome(code: .noError) }
        let ready = await metadata.waitFor(timeout: timeout) { view in view.partitionStates(of: name) != nil }
        return ready == nil ? TopicOutcome(code: .requestTimedOut, message: "the controller has not placed the topic yet")
            : TopicOutcome(code: .noError)
    }

    /// Deletes a topic and its partition states in one transaction; every broker then
    /// deletes its local copy when it sees the change.
    func deleteTopic(_ name: String) async -> KafkaErrorCode {
        guard metadata.view.topics[name] != nil else { return .unknownTopicOrPartition }
        do {
            let result = try await client.txn(
                compare: [.createRevision(of: keys.topic(name), .greater, 0)],
                success: [.delete(key: keys.topic(name)), .deletePrefix(keys.partitionsPrefix + name + "/")])
            return result.succeeded ? .noError : .unknownTopicOrPartition
        } catch {
            return .requestTimedOut
        }
    }
}
