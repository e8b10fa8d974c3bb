import Basalt
import BasaltKafka

extension Broker {
    /// Metadata: this broker as the only node, controller and leader of every partition.
    ///
    /// v0 asks for all topics with an empty list, v1+ with null. Named topics that do not
    /// exist are created when auto-creation is on (and, v4+, the request allows it) and the
    /// principal may create them. Topics the principal may not describe are left out of an
    /// all-topics answer and answer TOPIC_AUTHORIZATION_FAILED when named.
    func metadata(_ request: MetadataRequest, version: Int16, access: RequestAccess, listener: String) -> MetadataResponse {
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

    /// The message a transactional producer's coordinator lookup is refused with.
    static let transactionsNotSupported = "transactions are not supported by this broker (Basalt)"

    /// FindCoordinator: this broker coordinates every group.
    ///
    /// Transactions are not supported, and a transactional producer must learn that at once
    /// rather than retry until its own timeout. Its first request is this lookup with key type
    /// 1; the only answer both librdkafka and kafka-python treat as fatal there is
    /// TRANSACTIONAL_ID_AUTHORIZATION_FAILED (librdkafka retries every other code, including
    /// COORDINATOR_NOT_AVAILABLE and UNSUPPORTED_VERSION). librdkafka shows the message.
    /// Idempotent producers never ask for a transaction coordinator and are unaffected.
    func findCoordinator(_ request: FindCoordinatorRequest, listener: String) -> FindCoordinatorResponse {
        switch request.keyType {
        case 0:
            break
        case 1:
            return FindCoordinatorResponse(errorCode: .transactionalIdAuthorizationFailed,
                                           errorMessage: Self.transactionsNotSupported, nodeId: -1, host: "", port: -1)
        default:
            return FindCoordinatorResponse(errorCode: .invalidRequest, errorMessage: "unknown coordinator key type \(request.keyType)",
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
