import Basalt
import BasaltKafka

/// The group administration APIs: ListGroups, DescribeGroups, DeleteGroups, OffsetDelete.
///
/// Membership comes from the ``GroupCoordinator``; committed offsets from the store's cursors
/// (one node) or etcd (``GroupOffsetStore``, in a cluster). A group that has committed offsets
/// but no live members is Empty, as Kafka shows a group loaded from `__consumer_offsets`.
/// In a cluster each broker answers for the groups it coordinates and NOT_COORDINATOR for
/// the others; ListGroups lists only its own (admin clients ask every broker).
extension Broker {
    /// Group ids and their committed offsets could not be read (etcd unreachable).
    struct CommittedGroupsUnavailable: Error {}

    /// Kafka's group type name for the classic protocol, the only one Basalt runs (ListGroups v5).
    static let classicGroupType = "classic"

    /// The authorized operations of a group when a client asks: every one a group supports,
    /// as Kafka reports them without an authorizer (with one, ``authorizedDescribeGroups``
    /// reports the principal's).
    static let groupAuthorizedOperations = AclOperation.bits(AclOperation.onGroup)

    /// The groups that have committed offsets.
    func committedGroupNames() async throws(CommittedGroupsUnavailable) -> Set<String> {
        guard let cluster else { return Set(store.cursors.groupNames) }
        do {
            return try await cluster.groupOffsets.groupNames()
        } catch {
            logger.error("reading group names from etcd failed: \(error)")
            throw CommittedGroupsUnavailable()
        }
    }

    /// The committed offsets of `group`.
    func committedOffsets(of group: String) async throws(CommittedGroupsUnavailable) -> [TopicPartition: CommittedOffset] {
        guard let cluster else { return store.cursors.committedOffsets(group: group) }
        do {
            return try await cluster.groupOffsets.committedOffsets(group: group)
        } catch {
            logger.error("offset fetch from etcd failed: \(error)", metadata: ["group": "\(group)"])
            throw CommittedGroupsUnavailable()
        }
    }

    // MARK: - ListGroups

    func listGroups(_ request: ListGroupsRequest) async -> ListGroupsResponse {
        let committed: Set<String>
        do {
            committed = try await committedGroupNames()
        } catch {
            return ListGroupsResponse(errorCode: .coordinatorLoadInProgress, groups: [])
        }
        var listed: [String: ListGroupsResponse.Group] = [:]
        for summary in await groups.summaries() where coordinates(summary.groupId) {
            listed[summary.groupId] = ListGroupsResponse.Group(
                groupId: summary.groupId, protocolType: summary.protocolType, groupState: summary.state,
                groupType: Self.classicGroupType)
        }
        for name in committed where listed[name] == nil && coordinates(name) {
            listed[name] = ListGroupsResponse.Group(groupId: name, protocolType: "", groupState: "Empty",
                                                    groupType: Self.classicGroupType)
        }
        // Kafka compares the filters without regard to case ("stable" lists Stable groups).
        let states = Set(request.statesFilter.map { $0.lowercased() })
        let types = Set(request.typesFilter.map { $0.lowercased() })
        let groups = listed.values
            .filter { states.isEmpty || states.contains($0.groupState.lowercased()) }
            .filter { types.isEmpty || types.contains($0.groupType.lowercased()) }
            .sorted { $0.groupId < $1.groupId }
        return ListGroupsResponse(groups: groups)
    }

    // MARK: - DescribeGroups

    func describeGroups(_ request: DescribeGroupsRequest) async -> DescribeGroupsResponse {
        let operations = request.includeAuthorizedOperations ? Self.groupAuthorizedOperations : Int32.min
        // Read once, and only if some group asked has no live state.
        var committed: Set<String>?
        var described: [DescribeGroupsResponse.Group] = []
        described.reserveCapacity(request.groups.count)
        for groupId in request.groups {
            func failure(_ code: KafkaErrorCode) -> DescribeGroupsResponse.Group {
                .init(errorCode: code, groupId: groupId, groupState: "", protocolType: "", protocolData: "", members: [],
                      authorizedOperations: operations)
            }
            // Any id may be described, even "" (Kafka allows it so every group can be seen).
            guard coordinates(groupId) else {
                described.append(failure(.notCoordinator))
                continue
            }
            if let summary = await groups.summary(of: groupId) {
                described.append(.init(groupId: groupId, groupState: summary.state, protocolType: summary.protocolType,
                                       protocolData: summary.protocolName, members: summary.members,
                                       authorizedOperations: operations))
                continue
            }
            if committed == nil {
                do {
                    committed = try await committedGroupNames()
                } catch {
                    described.append(failure(.coordinatorLoadInProgress))
                    continue
                }
            }
            // Unknown groups are Dead without an error, as Kafka answers.
            let state = committed?.contains(groupId) == true ? "Empty" : "Dead"
            described.append(.init(groupId: groupId, groupState: state, protocolType: "", protocolData: "", members: [],
                                   authorizedOperations: operations))
        }
        return DescribeGroupsResponse(groups: described)
    }

    // MARK: - DeleteGroups

    /// DeleteGroups: a group without members loses its live state and, durably, its
    /// committed offsets before the answer goes out.
    func deleteGroups(_ request: DeleteGroupsRequest) async -> DeleteGroupsResponse {
        var results: [DeleteGroupsResponse.Result] = []
        results.reserveCapacity(request.groupsNames.count)
        for groupId in request.groupsNames {
            results.append(.init(groupId: groupId, errorCode: await deleteGroup(groupId)))
        }
        return DeleteGroupsResponse(results: results)
    }

    /// Any id may be deleted, even "" (as Kafka allows, so every group can be removed).
    private func deleteGroup(_ groupId: String) async -> KafkaErrorCode {
        guard coordinates(groupId) else { return .notCoordinator }
        let hadOffsets: Bool
        do {
            hadOffsets = try await !committedOffsets(of: groupId).isEmpty
        } catch {
            return .coordinatorLoadInProgress
        }
        let live = await groups.deleteIfEmpty(groupId)
        if live == .nonEmpty { return .nonEmptyGroup }
        guard hadOffsets else { return live == .removed ? .noError : .groupIdNotFound }
        if let cluster {
            do {
                try await cluster.groupOffsets.deleteGroup(groupId)
            } catch {
                logger.error("deleting group offsets in etcd failed: \(error)", metadata: ["group": "\(groupId)"])
                return .coordinatorNotAvailable
            }
        } else {
            do {
                try await blockingPool.runIfActive { [store] in try store.cursors.deleteGroup(groupId) }
            } catch {
                logger.error("deleting group offsets failed: \(error)", metadata: ["group": "\(groupId)"])
                return .kafkaStorageError
            }
        }
        logger.info("deleted group offsets", metadata: ["group": "\(groupId)"])
        return .noError
    }

    // MARK: - OffsetDelete

    /// OffsetDelete: removes committed offsets of partitions the group does not consume
    /// (GROUP_SUBSCRIBED_TO_TOPIC for those it does while it has members), as Kafka does.
    func offsetDelete(_ request: OffsetDeleteRequest) async -> OffsetDeleteResponse {
        func failure(_ code: KafkaErrorCode) -> OffsetDeleteResponse { OffsetDeleteResponse(errorCode: code, topics: []) }
        // Kafka requires a non-empty id here, unlike DescribeGroups and DeleteGroups.
        guard !request.groupId.isEmpty else { return failure(.invalidGroupId) }
        guard coordinates(request.groupId) else { return failure(.notCoordinator) }
        let committed: [TopicPartition: CommittedOffset]
        do {
            committed = try await committedOffsets(of: request.groupId)
        } catch {
            return failure(.coordinatorLoadInProgress)
        }
        let subscribed: Set<String>
        switch await groups.offsetDeletion(request.groupId) {
        case .absent where committed.isEmpty: return failure(.groupIdNotFound)
        case .absent, .empty: subscribed = []
        case .nonEmpty: return failure(.nonEmptyGroup)
        case .subscribed(let topics): subscribed = topics
        }
        var deleted: [TopicPartition] = []
        let topics = request.topics.map { topic in
            let partitionCount = self.partitionCount(of: topic.name)
            return OffsetDeleteResponse.Topic(name: topic.name, partitions: topic.partitionIndexes.map { index in
                guard let partitionCount, index >= 0, index < partitionCount else {
                    return .init(partitionIndex: index, errorCode: .unknownTopicOrPartition)
                }
                if subscribed.contains(topic.name) { return .init(partitionIndex: index, errorCode: .groupSubscribedToTopic) }
                let partition = TopicPartition(topic: topic.name, partition: index)
                if committed[partition] != nil { deleted.append(partition) }
                return .init(partitionIndex: index)
            })
        }
        guard !deleted.isEmpty else { return OffsetDeleteResponse(topics: topics) }
        if let cluster {
            do {
                try await cluster.groupOffsets.delete(group: request.groupId, partitions: deleted)
            } catch {
                logger.error("deleting offsets in etcd failed: \(error)", metadata: ["group": "\(request.groupId)"])
                return failure(.coordinatorNotAvailable)
            }
        } else {
            let partitions = deleted
            do {
                try await blockingPool.runIfActive { [store] in
                    try store.cursors.deleteOffsets(group: request.groupId, partitions: partitions)
                }
            } catch {
                logger.error("deleting offsets failed: \(error)", metadata: ["group": "\(request.groupId)"])
                return failure(.kafkaStorageError)
            }
        }
        return OffsetDeleteResponse(topics: topics)
    }

    /// The number of partitions of `topic`, from the cluster's view or the local store;
    /// `nil` when it does not exist.
    func partitionCount(of topic: String) -> Int? {
        if let cluster { return cluster.metadata.view.topics[topic].map { Int($0.partitions) } }
        return (try? store.topic(topic))?.partitions.count
    }
}
