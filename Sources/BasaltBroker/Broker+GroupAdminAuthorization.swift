import BasaltKafka

/// The authorizer's checks for the group administration APIs and DescribeProducers, as Kafka
/// makes them; the handlers (Broker+GroupAdmin.swift, Broker+DescribeProducers.swift) see only what
/// the principal may act on. OffsetDelete's group check (Delete on the group) is in
/// ``Broker/refusal(of:access:)``; DescribeCluster needs nothing (as in Kafka).
extension Broker {
    /// DescribeGroups: Describe on each group (GROUP_AUTHORIZATION_FAILED for the others).
    func authorizedDescribeGroups(
        _ request: DescribeGroupsRequest, access: RequestAccess, describe: (DescribeGroupsRequest) async -> DescribeGroupsResponse
    ) async -> DescribeGroupsResponse {
        let allowed = request.groups.map { access.allows(.describe, .group($0)) }
        var permitted = request
        permitted.groups = zip(request.groups, allowed).filter(\.1).map(\.0)
        var answered = await describe(permitted).groups
        if access.isChecking, request.includeAuthorizedOperations {
            for index in answered.indices {
                answered[index].authorizedOperations = access.operationBits(.group(answered[index].groupId),
                                                                            among: AclOperation.onGroup)
            }
        }
        return DescribeGroupsResponse(groups: Self.merged(request.groups, allowed: allowed, answered: answered) { groupId in
            .init(errorCode: .groupAuthorizationFailed, groupId: groupId, groupState: "", protocolType: "", protocolData: "",
                  members: [])
        })
    }

    /// ListGroups: every group with Describe on the cluster, otherwise only the groups the
    /// principal may describe.
    func authorizedListGroups(_ response: ListGroupsResponse, access: RequestAccess) -> ListGroupsResponse {
        guard access.isChecking, !access.allows(.describe, .cluster) else { return response }
        var filtered = response
        filtered.groups = response.groups.filter { access.allows(.describe, .group($0.groupId)) }
        return filtered
    }

    /// DeleteGroups: Delete on each group (GROUP_AUTHORIZATION_FAILED for the others, which are kept).
    func authorizedDeleteGroups(
        _ request: DeleteGroupsRequest, access: RequestAccess, delete: (DeleteGroupsRequest) async -> DeleteGroupsResponse
    ) async -> DeleteGroupsResponse {
        let allowed = request.groupsNames.map { access.allows(.delete, .group($0)) }
        var permitted = request
        permitted.groupsNames = zip(request.groupsNames, allowed).filter(\.1).map(\.0)
        let answered = await delete(permitted).results
        return DeleteGroupsResponse(results: Self.merged(request.groupsNames, allowed: allowed, answered: answered) {
            .init(groupId: $0, errorCode: .groupAuthorizationFailed)
        })
    }

    /// OffsetDelete: (Delete on the group is checked at dispatch) Read on each topic
    /// (TOPIC_AUTHORIZATION_FAILED per partition, nothing deleted for it).
    func authorizedOffsetDelete(
        _ request: OffsetDeleteRequest, access: RequestAccess, delete: (OffsetDeleteRequest) async -> OffsetDeleteResponse
    ) async -> OffsetDeleteResponse {
        let allowed = request.topics.map { access.allowsTopic(.read, $0.name) }
        guard allowed.contains(false) else { return await delete(request) }
        var permitted = request
        permitted.topics = zip(request.topics, allowed).filter(\.1).map(\.0)
        var response = await delete(permitted)
        for (topic, isAllowed) in zip(request.topics, allowed) where !isAllowed {
            response.topics.append(.init(name: topic.name, partitions: topic.partitionIndexes.map {
                .init(partitionIndex: $0, errorCode: .topicAuthorizationFailed)
            }))
        }
        return response
    }

    /// DescribeProducers: Read on each topic (TOPIC_AUTHORIZATION_FAILED per partition).
    func authorizedDescribeProducers(_ request: DescribeProducersRequest, access: RequestAccess) -> DescribeProducersResponse {
        let allowed = request.topics.map { access.allowsTopic(.read, $0.name) }
        guard allowed.contains(false) else { return describeProducers(request) }
        var permitted = request
        permitted.topics = zip(request.topics, allowed).filter(\.1).map(\.0)
        var response = describeProducers(permitted)
        for (topic, isAllowed) in zip(request.topics, allowed) where !isAllowed {
            response.topics.append(.init(name: topic.name, partitions: topic.partitionIndexes.map {
                .init(partitionIndex: $0, errorCode: .topicAuthorizationFailed, activeProducers: [])
            }))
        }
        return response
    }

    /// DescribeCluster: no check, but the cluster's authorized operations (when asked) are the
    /// ones the principal has, not all of them.
    func authorizedDescribeCluster(_ request: DescribeClusterRequest, access: RequestAccess) -> DescribeClusterResponse {
        var response = describeCluster(request)
        if access.isChecking, request.includeClusterAuthorizedOperations, response.errorCode == .noError {
            response.clusterAuthorizedOperations = access.operationBits(
                .cluster, among: AclOperation.onCluster)
        }
        return response
    }

    /// One answer per item of a request: the handler's `answered` (one per allowed item, in
    /// order) where `allowed`, `denied(item)` elsewhere.
    static func merged<Item, Answer>(_ items: [Item], allowed: [Bool], answered: [Answer], denied: (Item) -> Answer) -> [Answer] {
        var answers = answered.makeIterator()
        return zip(items, allowed).map { item, isAllowed in
            if isAllowed, let answer = answers.next() { return answer }
            return denied(item)
        }
    }
}
