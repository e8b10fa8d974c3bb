import Basalt
import BasaltKafka

extension Broker {
    /// Metadata: this broker as the only node, controller and leader of every partition.
    ///
    /// v0 asks for all topics with an empty list, v1+ with null. Named topics that do not
    /// exist are created when auto-creation is on (and, v4+, the request allows it).
    func metadata(_ request: MetadataRequest, version: Int16, listener: String) -> MetadataResponse {
        let address = advertisedAddress(listener: listener)
        let names: [String]
        var create = false
        if let requested = request.topics, !(version == 0 && requested.isEmpty) {
            names = requested
            create = version < 4 || request.allowAutoTopicCreation
        } else {
            names = store.topicNames
        }
        var topics: [MetadataResponse.Topic] = []
        topics.reserveCapacity(names.count)
        for name in names {
            switch lookupTopic(name, create: create) {
            case .found(let topic):
                let node = configuration.nodeId
                let partitions = topic.partitions.enumerated().map { index, log in
                    MetadataResponse.Partition(partitionIndex: Int32(index), leaderId: node, leaderEpoch: log.leaderEpoch,
                                               replicaNodes: [node], isrNodes: [node])
                }
                topics.append(MetadataResponse.Topic(name: name, partitions: partitions))
            case .failed(let code):
                topics.append(MetadataResponse.Topic(errorCode: code, name: name, partitions: []))
            }
        }
        return MetadataResponse(
            brokers: [MetadataResponse.Broker(nodeId: configuration.nodeId, host: address.host, port: Int32(address.port))],
            clusterId: clusterId, controllerId: configuration.nodeId, topics: topics)
    }

    /// FindCoordinator: this broker coordinates every group. Transaction coordinators
    /// (key type 1) are not offered, since transactions are not supported.
    func findCoordinator(_ request: FindCoordinatorRequest, listener: String) -> FindCoordinatorResponse {
        guard request.keyType == 0 else {
            return FindCoordinatorResponse(errorCode: .coordinatorNotAvailable, errorMessage: "transactions are not supported",
                                           nodeId: -1, host: "", port: -1)
        }
        guard !request.key.isEmpty else {
            return FindCoordinatorResponse(errorCode: .invalidGroupId, nodeId: -1, host: "", port: -1)
        }
        if let cluster { return clusterCoordinator(for: request.key, cluster: cluster, listener: listener) }
        let address = advertisedAddress(listener: listener)
        return FindCoordinatorResponse(nodeId: configuration.nodeId, host: address.host, port: Int32(address.port))
    }
}
