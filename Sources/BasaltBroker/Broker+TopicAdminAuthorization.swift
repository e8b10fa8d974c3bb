import BasaltKafka

/// The authorizer's checks for the topic administration APIs, as Kafka makes them; the handlers
/// see only the resources the principal may act on.
extension Broker {
    /// CreatePartitions: Alter on each topic (TOPIC_AUTHORIZATION_FAILED, not grown).
    func authorizedCreatePartitions(
        _ request: CreatePartitionsRequest, access: RequestAccess, grow: (CreatePartitionsRequest) async -> CreatePartitionsResponse
    ) async -> CreatePartitionsResponse {
        let allowed = request.topics.map { access.allowsTopic(.alter, $0.name) }
        guard allowed.contains(false) else { return await grow(request) }
        var permitted = request
        permitted.topics = zip(request.topics, allowed).filter(\.1).map(\.0)
        let answered = await grow(permitted).results
        return CreatePartitionsResponse(results: Self.merged(request.topics, allowed: allowed, answered: answered) {
            .init(name: $0.name, errorCode: .topicAuthorizationFailed, errorMessage: "not authorized to alter this topic")
        })
    }

    /// DeleteRecords: Delete on each topic (TOPIC_AUTHORIZATION_FAILED per partition, nothing deleted).
    func authorizedDeleteRecords(
        _ request: DeleteRecordsRequest, access: RequestAccess, delete: (DeleteRecordsRequest) async -> DeleteRecordsResponse
    ) async -> DeleteRecordsResponse {
        let allowed = request.topics.map { access.allowsTopic(.delete, $0.name) }
        guard allowed.contains(false) else { return await delete(request) }
        var permitted = request
        permitted.topics = zip(request.topics, allowed).filter(\.1).map(\.0)
        let answered = await delete(permitted).topics
        return DeleteRecordsResponse(topics: Self.merged(request.topics, allowed: allowed, answered: answered) { topic in
            .init(name: topic.name, partitions: topic.partitions.map {
                .init(partitionIndex: $0.partitionIndex, lowWatermark: -1, errorCode: .topicAuthorizationFailed)
            })
        })
    }

    /// The error for altering the configs of resource `type` (2 topic, 4 broker) named `name`,
    /// or nil when allowed: AlterConfigs on the topic or on the cluster.
    func alterConfigsRefusal(type: Int8, name: String, access: RequestAccess) -> KafkaErrorCode? {
        switch type {
        case 2: access.allowsTopic(.alterConfigs, name) ? nil : .topicAuthorizationFailed
        case 4: access.allows(.alterConfigs, .cluster) ? nil : .clusterAuthorizationFailed
        default: nil
        }
    }

    /// AlterConfigs: AlterConfigs on each topic (TOPIC_AUTHORIZATION_FAILED) or the cluster for the
    /// broker (CLUSTER_AUTHORIZATION_FAILED).
    func authorizedAlterConfigs(
        _ request: AlterConfigsRequest, access: RequestAccess, alter: (AlterConfigsRequest) async -> AlterConfigsResponse
    ) async -> AlterConfigsResponse {
        let refusals = request.resources.map { alterConfigsRefusal(type: $0.resourceType, name: $0.resourceName, access: access) }
        let allowed = refusals.map { $0 == nil }
        guard allowed.contains(false) else { return await alter(request) }
        var permitted = request
        permitted.resources = zip(request.resources, allowed).filter(\.1).map(\.0)
        let answered = await alter(permitted).responses
        let denied = zip(request.resources, refusals).map { resource, code in
            AlterConfigsResponse.Result(errorCode: code ?? .unknownServerError, resourceType: resource.resourceType,
                                        resourceName: resource.resourceName)
        }
        return AlterConfigsResponse(responses: Self.merged(Array(denied.indices), allowed: allowed, answered: answered) { denied[$0] })
    }

    /// IncrementalAlterConfigs: the checks of AlterConfigs.
    func authorizedIncrementalAlterConfigs(
        _ request: IncrementalAlterConfigsRequest, access: RequestAccess,
        alter: (IncrementalAlterConfigsRequest) async -> IncrementalAlterConfigsResponse
    ) async -> IncrementalAlterConfigsResponse {
        let refusals = request.resources.map { alterConfigsRefusal(type: $0.resourceType, name: $0.resourceName, access: access) }
        let allowed = refusals.map { $0 == nil }
        guard allowed.contains(false) else { return await alter(request) }
        var permitted = request
        permitted.resources = zip(request.resources, allowed).filter(\.1).map(\.0)
        let answered = await alter(permitted).responses
        let denied = zip(request.resources, refusals).map { resource, code in
            IncrementalAlterConfigsResponse.Result(errorCode: code ?? .unknownServerError, resourceType: resource.resourceType,
                                                   resourceName: resource.resourceName)
        }
        return IncrementalAlterConfigsResponse(
            responses: Self.merged(Array(denied.indices), allowed: allowed, answered: answered) { denied[$0] })
    }
}
