import Basalt
import BasaltKafka

/// The request handlers whose answers come from the cluster's view rather than the local
/// store: Metadata, topic creation and deletion, coordinator lookup.
extension Broker {
    /// Asks the controller for topic `name` with the broker defaults (auto-creation), without
    /// waiting: the client retries on LEADER_NOT_AVAILABLE until the leaders are in place.
    func requestClusterTopic(_ name: String, cluster: ClusterNode) {
        let partitions = configuration.defaultPartitions
        let replicationFactor = min(cluster.configuration.defaultReplicationFactor, max(cluster.metadata.view.liveBrokers.count, 1))
        let logger = self.logger
        Task {
            let outcome = await cluster.createTopic(
                name, partitions: partitions, replicationFactor: replicationFactor, assignment: [], configs: [:], timeout: .zero)
            if outcome.code == .noError {
                logger.info("auto-created topic", metadata: ["topic": "\(name)", "partitions": "\(partitions)",
                                                            "replicationFactor": "\(replicationFactor)"])
            }
        }
    }

    /// Metadata in a cluster: the live brokers, the controller, and for each partition the
    /// leader, epoch, replicas and ISR that etcd holds.
    /// Topics are hidden and auto-created under the same checks as ``metadata(_:version:access:)``.
    func clusterMetadata(_ request: MetadataRequest, version: Int16, cluster: ClusterNode, access: RequestAccess,
                         listener: String) -> MetadataResponse {
        let view = cluster.metadata.view
        let nodeId = configuration.nodeId
        let names: [String]
        var create = false
        if let requested = request.topics, !(version == 0 && requested.isEmpty) {
            names = requested
            create = version < 4 || request.allowAutoTopicCreation
        } else {
            names = view.topics.keys.sorted()
        }
        var topics: [MetadataResponse.Topic] = []
        topics.reserveCapacity(names.count)
        for name in names {
            guard access.allowsTopic(.describe, name) else {
                if request.topics?.isEmpty == false {
                    topics.append(MetadataResponse.Topic(errorCode: .topicAuthorizationFailed, name: name, partitions: []))
                }
                continue
            }
            guard view.topics[name] != nil else {
                do {
                    try NameRules.validateTopic(name)
                } catch {
                    topics.append(MetadataResponse.Topic(errorCode: .invalidTopic, name: name, partitions: []))
                    continue
                }
                if create, configuration.autoCreateTopics, access.mayCreateTopic(name) {
                    requestClusterTopic(name, cluster: cluster)
                    topics.append(MetadataResponse.Topic(errorCode: .leaderNotAvailable, name: name, partitions: []))
                } else {
                    topics.append(MetadataResponse.Topic(errorCode: .unknownTopicOrPartition, name: name, partitions: []))
                }
                continue
            }
            guard let states = view.partitionStates(of: name) else {
                topics.append(MetadataResponse.Topic(errorCode: .leaderNotAvailable, name: name, partitions: []))
                continue
            }
            let live = view.liveBrokers
            let partitions = states.enumerated().map { index, state in
                // A broker without a valid session may have been replaced: it does not send
                // clients to itself.
                let leads = state.leader != nodeId
                    || cluster.replicas.leaderCheck(TopicPartition(topic: name, partition: Int32(index))) != .refused(.notLeaderOrFollower)
                let leader = leads ? state.leader : PartitionState.noLeader
                return MetadataResponse.Partition(
                    errorCode: leader == PartitionState.noLeader ? .leaderNotAvailable : .noError,
                    partitionIndex: Int32(index), leaderId: leader, leaderEpoch: state.leaderEpoch,
                    replicaNodes: state.replicas, isrNodes: state.isr,
                    offlineReplicas: state.replicas.filter { !live.contains($0) })
            }
            topics.append(MetadataResponse.Topic(name: name, partitions: partitions))
        }
        let brokers = view.brokers.sorted { $0.key < $1.key }.map {
            let address = $0.value.address(listener: listener)
            return MetadataResponse.Broker(nodeId: $0.key, host: address.host, port: Int32(clamping: address.port))
        }
        return MetadataResponse(brokers: brokers, clusterId: cluster.configuration.name,
                                controllerId: view.controller ?? -1, topics: topics)
    }

    /// CreateTopics in a cluster: each topic is written to etcd for the controller to place.
    func clusterCreateTopics(_ request: CreateTopicsRequest, cluster: ClusterNode) async -> CreateTopicsResponse {
        var results: [CreateTopicsResponse.Topic] = []
        for asked in request.topics {
            func failure(_ code: KafkaErrorCode, _ message: String) -> CreateTopicsResponse.Topic {
                .init(name: asked.name, errorCode: code, errorMessage: Self.errorMessage(message))
            }
            do {
                try NameRules.validateTopic(asked.name)
            } catch {
                results.append(failure(.invalidTopic, "\(error)"))
                continue
            }
            let partitions = asked.numPartitions == -1
                ? (asked.assignments.isEmpty ? configuration.defaultPartitions : Int32(clamping: asked.assignments.count))
                : asked.numPartitions
            guard partitions > 0, partitions <= 10_000 else {
                results.append(failure(.invalidPartitions, "partition count must be in 1...10000"))
                continue
            }
            let replicationFactor = asked.replicationFactor == -1
                ? cluster.configuration.defaultReplicationFactor : Int(asked.replicationFactor)
            let assignment = asked.assignments.sorted { $0.partitionIndex < $1.partitionIndex }
            guard assignment.isEmpty || assignment.map(\.partitionIndex) == Array(0..<partitions) else {
                results.append(failure(.invalidReplicaAssignment, "assignments must name partitions 0..<\(partitions)"))
                continue
            }
            do throws(TopicSettingsError) {
                _ = try TopicSettings.apply(asked.configs.map { ($0.name, $0.value) }, to: configuration.defaultTopicConfig,
                                            replicated: true)
            } catch {
                results.append(failure(.invalidConfig, error.description))
                continue
            }
            var configs: [String: String] = [:]
            for config in asked.configs { if let value = config.value { configs[config.name] = value } }
            if request.validateOnly {
                results.append(.init(name: asked.name))
                continue
            }
            let outcome = await cluster.createTopic(
                asked.name, partitions: partitions, replicationFactor: replicationFactor, assignment: assignment.map(\.brokerIds),
                configs: configs, timeout: .milliseconds(max(Int(request.timeoutMs), 0)))
            if outcome.code == .noError {
                logger.info("created topic", metadata: ["topic": "\(asked.name)", "partitions": "\(partitions)"])
                results.append(.init(name: asked.name))
            } else {
                results.append(failure(outcome.code, outcome.message ?? ""))
            }
        }
        return CreateTopicsResponse(topics: results)
    }

    /// DeleteTopics in a cluster: removed from etcd; every broker deletes its copy on seeing it.
    func clusterDeleteTopics(_ request: DeleteTopicsRequest, cluster: ClusterNode) async -> DeleteTopicsResponse {
        var results: [DeleteTopicsResponse.Result] = []
        for name in request.topicNames {
            results.append(.init(name: name, errorCode: await cluster.deleteTopic(name)))
        }
        return DeleteTopicsResponse(responses: results)
    }

    /// The coordinator of `group` in a cluster: one live broker every broker agrees on,
    /// chosen by hashing the group id over the live brokers' ids.
    func clusterCoordinator(for group: String, cluster: ClusterNode, listener: String? = nil) -> FindCoordinatorResponse {
        let view = cluster.metadata.view
        let live = view.brokers.keys.sorted()
        guard !live.isEmpty, cluster.session.isValid else {
            return FindCoordinatorResponse(errorCode: .coordinatorNotAvailable, nodeId: -1, host: "", port: -1)
        }
        let index = Int(Partitioner.murmur2(Array(group.utf8)) % UInt32(live.count))
        let node = live[index]
        guard let record = view.brokers[node] else {
            return FindCoordinatorResponse(errorCode: .coordinatorNotAvailable, nodeId: -1, host: "", port: -1)
        }
        let address = listener.map { record.address(listener: $0) } ?? BrokerRecord.Address(host: record.host, port: record.port)
        return FindCoordinatorResponse(nodeId: node, host: address.host, port: Int32(clamping: address.port))
    }
}
