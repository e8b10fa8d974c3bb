import BasaltKafka
import NIOCore

/// Where requests meet the authorizer. With authorisation off, ``RequestAccess`` allows
/// everything and nothing here changes an answer.
///
/// Checks that refuse a request as a whole (group APIs, FindCoordinator, InitProducerId, a
/// follower's OffsetForLeaderEpoch, the ACL APIs) are in ``refusal(of:access:)``, called once at
/// dispatch. Per-topic checks happen in the handlers that own the topic loop (Produce, Fetch,
/// ListOffsets, OffsetForLeaderEpoch, Metadata, OffsetCommit, OffsetFetch) by asking
/// ``RequestAccess``; CreateTopics, DeleteTopics and DescribeConfigs are wrapped here, so the
/// single-node and cluster handlers see only the resources the principal may act on.
extension Broker {
    /// In a cluster with authorisation on: reads the ACLs from etcd and follows them. Called
    /// once the broker joined the cluster.
    ///
    /// - Throws: ``EtcdAclStorageError`` when the stored ACLs are damaged (the broker must not
    ///   start); the etcd client's errors.
    func startAuthorization() async throws {
        guard let aclWatch, let authorizer else { return }
        try await aclWatch.start { [weak authorizer] acls in authorizer?.replaceAll(acls) }
        logger.info("ACLs read from etcd", metadata: ["acls": "\(authorizer.all.count)"])
    }

    /// The error answer for a request the principal may not make at all, or nil when it may
    /// go on (its per-resource checks then happen in the handler). Kafka's checks and codes.
    func refusal(of request: KafkaRequest, access: RequestAccess) -> KafkaResponse? {
        guard access.isChecking else { return nil }
        switch request {
        case .findCoordinator(let body):
            let resource: AclResource = body.keyType == 1 ? .transactionalId(body.key) : .group(body.key)
            guard !access.allows(.describe, resource) else { return nil }
            let code: KafkaErrorCode = body.keyType == 1 ? .transactionalIdAuthorizationFailed : .groupAuthorizationFailed
            return .findCoordinator(FindCoordinatorResponse(errorCode: code, nodeId: -1, host: "", port: -1))
        case .joinGroup(let body) where !access.allows(.read, .group(body.groupId)):
            return .joinGroup(JoinGroupResponse(errorCode: .groupAuthorizationFailed, generationId: -1, protocolName: "",
                                                leader: "", memberId: body.memberId))
        case .syncGroup(let body) where !access.allows(.read, .group(body.groupId)):
            return .syncGroup(SyncGroupResponse(errorCode: .groupAuthorizationFailed, assignment: ByteBuffer()))
        case .heartbeat(let body) where !access.allows(.read, .group(body.groupId)):
            return .heartbeat(HeartbeatResponse(errorCode: .groupAuthorizationFailed))
        case .leaveGroup(let body) where !access.allows(.read, .group(body.groupId)):
            return .leaveGroup(LeaveGroupResponse(errorCode: .groupAuthorizationFailed))
        case .offsetCommit(let body) where !access.allows(.read, .group(body.groupId)):
            return .offsetCommit(OffsetCommitResponse(topics: body.topics.map { topic in
                .init(name: topic.name, partitions: topic.partitions.map {
                    .init(partitionIndex: $0.partitionIndex, errorCode: .groupAuthorizationFailed)
                })
            }))
        case .describeLogDirs where !access.allows(.describe, .cluster):
            return .describeLogDirs(DescribeLogDirsResponse(errorCode: .clusterAuthorizationFailed, results: []))
        case .offsetDelete(let body) where !access.allows(.delete, .group(body.groupId)):
            return .offsetDelete(OffsetDeleteResponse(errorCode: .groupAuthorizationFailed, topics: []))
        case .offsetFetch(let body) where !access.allows(.describe, .group(body.groupId)):
            return .offsetFetch(OffsetFetchResponse(topics: [], errorCode: .groupAuthorizationFailed))
        case .initProducerId(let body):
            if let transactionalId = body.transactionalId {
                guard !access.allows(.write, .transactionalId(transactionalId)) else { return nil }
                return .initProducerId(InitProducerIdResponse(errorCode: .transactionalIdAuthorizationFailed,
                                                              producerId: -1, producerEpoch: -1))
            }
            // KIP-679: an idempotent producer needs IdempotentWrite on the cluster or Write on some topic.
            guard !access.allows(.idempotentWrite, .cluster), !access.allowsAny(.write, type: .topic) else { return nil }
            return .initProducerId(InitProducerIdResponse(errorCode: .clusterAuthorizationFailed, producerId: -1, producerEpoch: -1))
        case .offsetForLeaderEpoch(let body) where body.replicaId >= 0 && !access.allows(.clusterAction, .cluster):
            return .offsetForLeaderEpoch(OffsetForLeaderEpochResponse(topics: body.topics.map { topic in
                .init(topic: topic.topic, partitions: topic.partitions.map {
                    .init(errorCode: .clusterAuthorizationFailed, partition: $0.partition, leaderEpoch: -1, endOffset: -1)
                })
            }))
        case .describeUserScramCredentials where !access.allows(.describe, .cluster):
            return .describeUserScramCredentials(DescribeUserScramCredentialsResponse(
                errorCode: .clusterAuthorizationFailed, errorMessage: "not authorized to describe users", results: []))
        case .alterUserScramCredentials(let body) where !access.allows(.alter, .cluster):
            // Kafka answers each named user; a user named twice gets one answer.
            var seen = Set<String>()
            let users = (body.deletions.map(\.name) + body.upsertions.map(\.name)).filter { seen.insert($0).inserted }
            return .alterUserScramCredentials(AlterUserScramCredentialsResponse(results: users.map {
                .init(user: $0, errorCode: .clusterAuthorizationFailed, errorMessage: "not authorized to alter users")
            }))
        default:
            return nil
        }
    }

    /// Metadata v8+: the principal's authorized operations on each topic answered and on the
    /// cluster, when the request asks for them (every operation the resource supports when
    /// authorisation is off, as Kafka reports without an authorizer).
    func withAuthorizedOperations(_ response: MetadataResponse, for request: MetadataRequest, version: Int16,
                                  access: RequestAccess) -> MetadataResponse {
        guard version >= 8 else { return response }
        var response = response
        if request.includeTopicAuthorizedOperations {
            for index in response.topics.indices where response.topics[index].errorCode == .noError {
                response.topics[index].topicAuthorizedOperations =
                    access.operationBits(.topic(response.topics[index].name), among: AclOperation.onTopic)
            }
        }
        if request.includeClusterAuthorizedOperations {
            response.clusterAuthorizedOperations = access.operationBits(.cluster, among: AclOperation.onCluster)
        }
        return response
    }

    /// CreateTopics where each topic needs Create on the cluster or on the topic
    /// (TOPIC_AUTHORIZATION_FAILED); `create` handles the allowed ones.
    func authorizedCreateTopics(
        _ request: CreateTopicsRequest, access: RequestAccess, create: (CreateTopicsRequest) async -> CreateTopicsResponse
    ) async -> CreateTopicsResponse {
        let allowed = request.topics.map { access.mayCreateTopic($0.name) }
        var permitted = request
        permitted.topics = zip(request.topics, allowed).filter(\.1).map(\.0)
        let answered = await create(permitted).topics
        return CreateTopicsResponse(topics: Self.merged(request.topics, allowed: allowed, answered: answered) {
            .init(name: $0.name, errorCode: .topicAuthorizationFailed, errorMessage: "not authorized to create this topic")
        })
    }

    /// DeleteTopics where each topic needs Delete on it (TOPIC_AUTHORIZATION_FAILED);
    /// `delete` handles the allowed ones.
    func authorizedDeleteTopics(
        _ request: DeleteTopicsRequest, access: RequestAccess, delete: (DeleteTopicsRequest) async -> DeleteTopicsResponse
    ) async -> DeleteTopicsResponse {
        let allowed = request.topicNames.map { access.allowsTopic(.delete, $0) }
        var permitted = request
        permitted.topicNames = zip(request.topicNames, allowed).filter(\.1).map(\.0)
        let answered = await delete(permitted).responses
        return DeleteTopicsResponse(responses: Self.merged(request.topicNames, allowed: allowed, answered: answered) {
            .init(name: $0, errorCode: .topicAuthorizationFailed)
        })
    }

    /// DescribeConfigs where a topic needs DescribeConfigs on it (TOPIC_AUTHORIZATION_FAILED)
    /// and the broker DescribeConfigs on the cluster (CLUSTER_AUTHORIZATION_FAILED).
    func authorizedDescribeConfigs(_ request: DescribeConfigsRequest, version: Int16, access: RequestAccess) -> DescribeConfigsResponse {
        func refusal(_ resource: DescribeConfigsRequest.Resource) -> KafkaErrorCode? {
            switch resource.resourceType {
            case 2: access.allowsTopic(.describeConfigs, resource.resourceName) ? nil : .topicAuthorizationFailed
            case 4: access.allows(.describeConfigs, .cluster) ? nil : .clusterAuthorizationFailed
            default: nil
            }
        }
        let refusals = request.resources.map(refusal)
        var permitted = request
        permitted.resources = zip(request.resources, refusals).filter { $0.1 == nil }.map(\.0)
        let answered = describeConfigs(permitted, version: version).results
        let denied = zip(request.resources, refusals).map { resource, code in
            DescribeConfigsResponse.Result(errorCode: code ?? .unknownServerError, resourceType: resource.resourceType,
                                           resourceName: resource.resourceName, configs: [])
        }
        return DescribeConfigsResponse(results: Self.merged(Array(denied.indices), allowed: refusals.map { $0 == nil },
                                                            answered: answered) { denied[$0] })
    }
}
