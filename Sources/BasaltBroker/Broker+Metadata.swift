import Basalt
import BasaltKafka

extension Broker {
    /// Metadata: this broker as the only node, controller and leader of every partition.
    ///
    /// v0 asks for all topics with an empty list, v1+ with null. Named topics that do not
    /// exist are created when auto-creation is on (and, v4+, the request allows it) and the
    /// principal may create them. Topics the principal may not describe are left out of an
    /// all-topics answer and answer TOPIC_AUTHORIZATION_FAILED when named.
    func metadata(_ request: MetadataRequest, version: Int16, access: RequestAccess) -> MetadataResponse {
        let address = advertisedAddress
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
            guard access.allowsTopic(.describe, name) else {
                if request.topics?.isEmpty == false {
                    topics.append(MetadataResponse.Topic(errorCode: .topicAuthorizationFailed, name: name, partitions: []))
                }
                continue
            }
            switch lookupTopic(name, create: create && access.mayCreateTopic(name)) {
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
    func findCoordinator(_ request: FindCoordinatorRequest) -> FindCoordinatorResponse {
        guard request.keyType == 0 else {
            return FindCoordinatorResponse(errorCode: .coordinatorNotAvailable, errorMessage: "transactions are not supported",
                                           nodeId: -1, host: "", port: -1)
        }
        guard !request.key.isEmpty else {
            return FindCoordinatorResponse(errorCode: .invalidGroupId, nodeId: -1, host: "", port: -1)
        }
        if let cluster { return clusterCoordinator(for: request.key, cluster: cluster) }
        let address = advertisedAddress
        return FindCoordinatorResponse(nodeId: configuration.nodeId, host: address.host, port: Int32(address.port))
    }
}
