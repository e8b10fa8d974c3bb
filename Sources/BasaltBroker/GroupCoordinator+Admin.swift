import BasaltKafka
import NIOCore

/// What the group administration APIs (ListGroups, DescribeGroups, DeleteGroups,
/// OffsetDelete) read from and do to the live groups. Committed offsets are the broker's
/// part (``Broker``); these answer only for membership.
extension GroupCoordinator {
    /// A live group as ListGroups and DescribeGroups show it.
    struct GroupSummary: Equatable {
        var groupId: String
        /// Kafka's state name: Empty, PreparingRebalance, CompletingRebalance or Stable.
        var state: String
        var protocolType: String
        /// The chosen protocol, only while Stable (Kafka leaves it empty otherwise).
        var protocolName: String
        var members: [DescribeGroupsResponse.Member]
    }

    /// Kafka's name of a group state.
    static func stateName(_ state: ConsumerGroup.State) -> String {
        switch state {
        case .empty: "Empty"
        case .preparingRebalance: "PreparingRebalance"
        case .completingRebalance: "CompletingRebalance"
        case .stable: "Stable"
        }
    }

    /// Every live group, sorted by id.
    func summaries() -> [GroupSummary] {
        groups.keys.sorted().compactMap { summary(of: $0) }
    }

    /// The group `groupId` as DescribeGroups shows it, or `nil` when it has no live state.
    ///
    /// As Kafka does, members carry their subscription and assignment bytes only while the
    /// group is Stable; during a rebalance both are empty and so is the protocol.
    func summary(of groupId: String) -> GroupSummary? {
        guard let group = groups[groupId] else { return nil }
        let stable = group.state == .stable
        let protocolName = stable ? group.protocolName ?? "" : ""
        let members = group.joinOrder.compactMap { id -> DescribeGroupsResponse.Member? in
            guard let member = group.members[id] else { return nil }
            return DescribeGroupsResponse.Member(
                memberId: id, groupInstanceId: member.groupInstanceId, clientId: member.clientId,
                clientHost: member.clientHost,
                memberMetadata: stable ? member.metadata(for: protocolName) ?? ByteBuffer() : ByteBuffer(),
                memberAssignment: stable ? member.assignment : ByteBuffer())
        }
        return GroupSummary(groupId: groupId, state: Self.stateName(group.state), protocolType: group.protocolType ?? "",
                            protocolName: protocolName, members: members)
    }

    /// The outcome of asking to delete a group's live state.
    enum Deletion: Equatable {
        /// The group has members: NON_EMPTY_GROUP.
        case nonEmpty
        /// The group had live state, now removed.
        case removed
        /// The group had no live state (its committed offsets may still exist).
        case absent
    }

    /// Removes `groupId` when it has no members (DeleteGroups); one with members stays.
    func deleteIfEmpty(_ groupId: String) -> Deletion {
        guard let group = groups[groupId] else { return .absent }
        guard group.members.isEmpty, group.pendingMembers.isEmpty else { return .nonEmpty }
        groups[groupId] = nil
        logger.info("group deleted", metadata: ["group": "\(groupId)"])
        return .removed
    }

    /// Which topics OffsetDelete must refuse for `groupId`.
    enum OffsetDeletion: Equatable {
        /// No live state: every offset may go (if none exist either, GROUP_ID_NOT_FOUND).
        case absent
        /// Empty group: every offset may go.
        case empty
        /// A consumer group with members: offsets of these subscribed topics stay.
        case subscribed(Set<String>)
        /// A group with members of another protocol type: NON_EMPTY_GROUP.
        case nonEmpty
    }

    /// What OffsetDelete may delete for `groupId` now (Kafka's `handleDeleteOffsets`).
    func offsetDeletion(_ groupId: String) -> OffsetDeletion {
        guard let group = groups[groupId] else { return .absent }
        if group.state == .empty { return .empty }
        guard group.protocolType == ConsumerProtocolSubscription.protocolType else { return .nonEmpty }
        var topics: Set<String> = []
        for member in group.members.values {
            // The subscription of the protocol in use, or (before one is chosen) of the
            // member's first choice; every protocol of the consumer type encodes it alike.
            let metadata = group.protocolName.flatMap { member.metadata(for: $0) } ?? member.protocols.first?.metadata
            if let metadata, let subscription = ConsumerProtocolSubscription(metadata) {
                topics.formUnion(subscription.topics)
            }
        }
        return .subscribed(topics)
    }
}
