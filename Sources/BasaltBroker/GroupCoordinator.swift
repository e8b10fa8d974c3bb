import Basalt
import BasaltKafka
import Foundation
import Logging
import NIOCore

/// Runs Kafka's classic consumer-group protocol for every group (kafka-compat.md §4):
/// the member-id handshake, rebalances driven by joins, leaves and session timeouts, and
/// the leader's assignment relayed to everyone. Assignments are opaque bytes; the
/// clients' own assignors decide them.
///
/// Membership lives in memory (a restarted broker makes every member rejoin, which
/// clients do on their own); committed offsets live in the store's durable cursors.
/// JoinGroup and SyncGroup calls park in the actor until the round completes; the
/// actor stays free meanwhile because they wait on continuations.
actor GroupCoordinator {
    private let store: Store
    private let configuration: BrokerConfiguration
    let logger: Logger
    private let metrics: BrokerMetrics
    /// Every group with members or pending members (internal for the admin extension).
    var groups: [String: ConsumerGroup] = [:]
    private var shuttingDown = false

    init(store: Store, configuration: BrokerConfiguration, logger: Logger, metrics: BrokerMetrics) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    // MARK: - JoinGroup

    /// The longest client-id prefix of a member id, in UTF-8 bytes.
    ///
    /// Kafka builds member ids as `<client id>-<UUID>`; a client id may be up to 32767
    /// bytes, so the whole of it would not fit the int16 length of the member id that
    /// every group response echoes. The prefix is only for people reading logs.
    static let maxMemberIdPrefixBytes = 255

    /// The client id, or "member" when it is empty, cut on a character boundary to at most
    /// ``maxMemberIdPrefixBytes`` bytes.
    static func memberIdPrefix(clientId: String) -> String {
        clientId.isEmpty ? "member" : clientId.utf8Prefix(maxBytes: maxMemberIdPrefixBytes)
    }

    func join(_ request: JoinGroupRequest, version: Int16, clientId: String, clientHost: String) async -> JoinGroupResponse {
        func failure(_ code: KafkaErrorCode, memberId: String = "") -> JoinGroupResponse {
            JoinGroupResponse(errorCode: code, generationId: -1, protocolName: "", leader: "", memberId: memberId)
        }
        if shuttingDown { return failure(.notCoordinator) }
        guard !request.groupId.isEmpty else { return failure(.invalidGroupId) }
        guard request.sessionTimeoutMs >= configuration.groupMinSessionTimeoutMs,
              request.sessionTimeoutMs <= configuration.groupMaxSessionTimeoutMs else {
            return failure(.invalidSessionTimeout, memberId: request.memberId)
        }
        let protocols = request.protocols.map { (name: $0.name, metadata: $0.metadata) }
        guard !request.protocolType.isEmpty, !protocols.isEmpty else {
            return failure(.inconsistentGroupProtocol, memberId: request.memberId)
        }
        var group = groups[request.groupId] ?? ConsumerGroup(groupId: request.groupId)
        let isKnown = group.members[request.memberId] != nil
        let othersCommon = isKnown ? group.commonProtocols(excluding: request.memberId) : group.commonProtocols()
        if !(group.members.isEmpty || (isKnown && group.members.count == 1)) {
            guard group.protocolType == request.protocolType,
                  !othersCommon.intersection(protocols.map(\.name)).isEmpty else {
                return failure(.inconsistentGroupProtocol, memberId: request.memberId)
            }
        }
        let now = ContinuousClock.now
        var memberId = request.memberId
        if memberId.isEmpty {
            memberId = Self.memberIdPrefix(clientId: clientId) + "-" + UUID().uuidString.lowercased()
            if version >= 4 {
                // KIP-394: the client must come back with this id; until then it is pending.
                group.pendingMembers[memberId] = now + .milliseconds(Int(request.sessionTimeoutMs))
                groups[request.groupId] = group
                return failure(.memberIdRequired, memberId: memberId)
            }
        } else if group.members[memberId] == nil {
            guard group.pendingMembers.removeValue(forKey: memberId) != nil else {
                return failure(.unknownMemberId, memberId: memberId)
            }
        }
        let rebalanceTimeoutMs = version >= 1 && request.rebalanceTimeoutMs > 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs
        if var existing = group.members[memberId] {
            // A rejoin of a follower whose subscription did not change needs no rebalance.
            if group.state == .stable, existing.memberId != group.leaderId, existing.hasSameProtocols(as: protocols) {
                existing.lastSeen = now
                group.members[memberId] = existing
                groups[request.groupId] = group
                return JoinGroupResponse(generationId: group.generationId, protocolName: group.protocolName ?? "",
                                         leader: group.leaderId ?? "", memberId: memberId)
            }
            // A second JoinGroup while the first is parked: the first is superseded.
            existing.joinWaiter?.resume(returning: failure(.rebalanceInProgress, memberId: memberId))
            existing.joinWaiter = nil
            existing.protocols = protocols
            existing.sessionTimeoutMs = request.sessionTimeoutMs
            existing.rebalanceTimeoutMs = rebalanceTimeoutMs
            existing.lastSeen = now
            group.members[memberId] = existing
        } else {
            group.members[memberId] = GroupMember(
                memberId: memberId, clientId: clientId, clientHost: clientHost, groupInstanceId: request.groupInstanceId,
                sessionTimeoutMs: request.sessionTimeoutMs, rebalanceTimeoutMs: rebalanceTimeoutMs,
                protocolType: request.protocolType, protocols: protocols, lastSeen: now, assignment: ByteBuffer())
            group.joinOrder.append(memberId)
        }
        group.protocolType = request.protocolType
        if group.state != .preparingRebalance { prepareRebalance(&group, reason: "member \(memberId) joined") }
        // Each newcomer to a group's first rebalance extends the wait for more, up to
        // the rebalance timeout.
        if let delay = group.initialDelayDeadline, let deadline = group.rebalanceDeadline {
            group.initialDelayDeadline = min(max(delay, now + .milliseconds(configuration.groupInitialRebalanceDelayMs)), deadline)
        }
        groups[request.groupId] = group
        let groupId = request.groupId
        return await withCheckedContinuation { continuation in
            groups[groupId]?.members[memberId]?.joinWaiter = continuation
            completeJoinIfReady(groupId)
        }
    }

    private func prepareRebalance(_ group: inout ConsumerGroup, reason: String) {
        let now = ContinuousClock.now
        if group.state == .completingRebalance {
            for id in group.members.keys {
                group.members[id]?.syncWaiter?.resume(returning: SyncGroupResponse(errorCode: .rebalanceInProgress, assignment: ByteBuffer()))
                group.members[id]?.syncWaiter = nil
            }
        }
        let wasEmpty = group.state == .empty
        group.state = .preparingRebalance
        let timeout = group.members.values.map(\.rebalanceTimeoutMs).max() ?? 0
        group.rebalanceDeadline = now + .milliseconds(Int(timeout))
        group.initialDelayDeadline = wasEmpty && configuration.groupInitialRebalanceDelayMs > 0
            ? now + .milliseconds(configuration.groupInitialRebalanceDelayMs) : nil
        logger.info("rebalance", metadata: ["group": "\(group.groupId)", "generation": "\(group.generationId)", "reason": "\(reason)"])
    }

    /// Completes the join round of `groupId` once every member has rejoined (and no
    /// issued member id is outstanding), or when the rebalance timeout has passed.
    private func completeJoinIfReady(_ groupId: String) {
        guard var group = groups[groupId], group.state == .preparingRebalance else { return }
        let now = ContinuousClock.now
        let allJoined = group.members.values.allSatisfy { $0.joinWaiter != nil } && group.pendingMembers.isEmpty
        let delayOver = group.initialDelayDeadline.map { now >= $0 } ?? true
        let timedOut = group.rebalanceDeadline.map { now >= $0 } ?? false
        guard (allJoined && delayOver) || timedOut else { return }
        for (id, member) in group.members where member.joinWaiter == nil {
            logger.info("member did not rejoin in time", metadata: ["group": "\(groupId)", "member": "\(id)"])
            group.members[id] = nil
        }
        group.joinOrder.removeAll { group.members[$0] == nil }
        group.pendingMembers.removeAll()
        group.generationId += 1
        group.initialDelayDeadline = nil
        group.rebalanceDeadline = nil
        guard !group.members.isEmpty else {
            group.state = .empty
            group.leaderId = nil
            group.protocolName = nil
            groups[groupId] = group
            return
        }
        let protocolName = group.selectProtocol() ?? ""
        group.protocolName = protocolName
        if group.leaderId.map({ group.members[$0] == nil }) ?? true { group.leaderId = group.joinOrder.first }
        group.state = .completingRebalance
        let leader = group.leaderId ?? ""
        let everyone = group.joinOrder.compactMap { id -> JoinGroupResponse.Member? in
            guard let member = group.members[id] else { return nil }
            return JoinGroupResponse.Member(memberId: id, groupInstanceId: member.groupInstanceId,
                                            metadata: member.metadata(for: protocolName) ?? ByteBuffer())
        }
        for id in group.joinOrder {
            guard let waiter = group.members[id]?.joinWaiter else { continue }
            group.members[id]?.joinWaiter = nil
            group.members[id]?.assignment = ByteBuffer()
            group.members[id]?.lastSeen = now
            waiter.resume(returning: JoinGroupResponse(
                generationId: group.generationId, protocolName: protocolName, leader: leader, memberId: id,
                members: id == leader ? everyone : []))
        }
        groups[groupId] = group
        logger.info("generation complete", metadata: [
            "group": "\(groupId)", "generation": "\(group.generationId)", "members": "\(group.members.count)",
            "protocol": "\(protocolName)", "leader": "\(leader)",
        ])
    }

    // MARK: - SyncGroup

    func sync(_ request: SyncGroupRequest) async -> SyncGroupResponse {
        func failure(_ code: KafkaErrorCode) -> SyncGroupResponse { SyncGroupResponse(errorCode: code, assignment: ByteBuffer()) }
        if shuttingDown { return failure(.notCoordinator) }
        guard var group = groups[request.groupId], var member = group.members[request.memberId] else {
            return failure(.unknownMemberId)
        }
        guard request.generationId == group.generationId else { return failure(.illegalGeneration) }
        member.lastSeen = ContinuousClock.now
        group.members[request.memberId] = member
        switch group.state {
        case .empty:
            return failure(.unknownMemberId)
        case .preparingRebalance:
            groups[request.groupId] = group
            return failure(.rebalanceInProgress)
        case .stable:
            groups[request.groupId] = group
            return SyncGroupResponse(assignment: member.assignment)
        case .completingRebalance:
            guard request.memberId == group.leaderId else {
                groups[request.groupId] = group
                let groupId = request.groupId
                let memberId = request.memberId
                return await withCheckedContinuation { continuation in
                    groups[groupId]?.members[memberId]?.syncWaiter?.resume(returning: failure(.rebalanceInProgress))
                    groups[groupId]?.members[memberId]?.syncWaiter = continuation
                }
            }
            let assignments = Dictionary(request.assignments.map { ($0.memberId, $0.assignment) }, uniquingKeysWith: { _, last in last })
            for id in group.members.keys {
                group.members[id]?.assignment = assignments[id] ?? ByteBuffer()
                if let waiter = group.members[id]?.syncWaiter {
                    group.members[id]?.syncWaiter = nil
                    waiter.resume(returning: SyncGroupResponse(assignment: assignments[id] ?? ByteBuffer()))
                }
            }
            group.state = .stable
            groups[request.groupId] = group
            return SyncGroupResponse(assignment: assignments[request.memberId] ?? ByteBuffer())
        }
    }

    // MARK: - Heartbeat and LeaveGroup

    func heartbeat(_ request: HeartbeatRequest) -> HeartbeatResponse {
        if shuttingDown { return HeartbeatResponse(errorCode: .notCoordinator) }
        guard var group = groups[request.groupId], group.members[request.memberId] != nil else {
            return HeartbeatResponse(errorCode: .unknownMemberId)
        }
        guard request.generationId == group.generationId else { return HeartbeatResponse(errorCode: .illegalGeneration) }
        group.members[request.memberId]?.lastSeen = ContinuousClock.now
        groups[request.groupId] = group
        return HeartbeatResponse(errorCode: group.state == .preparingRebalance ? .rebalanceInProgress : .noError)
    }

    func leave(_ request: LeaveGroupRequest) -> LeaveGroupResponse {
        if shuttingDown { return LeaveGroupResponse(errorCode: .notCoordinator) }
        guard groups[request.groupId]?.members[request.memberId] != nil else {
            return LeaveGroupResponse(errorCode: .unknownMemberId)
        }
        removeMember(request.memberId, from: request.groupId, reason: "member \(request.memberId) left")
        return LeaveGroupResponse()
    }

    private func removeMember(_ memberId: String, from groupId: String, reason: String) {
        guard var group = groups[groupId], let member = group.members.removeValue(forKey: memberId) else { return }
        member.joinWaiter?.resume(returning: JoinGroupResponse(errorCode: .unknownMemberId, generationId: -1, protocolName: "",
                                                               leader: "", memberId: memberId))
        member.syncWaiter?.resume(returning: SyncGroupResponse(errorCode: .unknownMemberId, assignment: ByteBuffer()))
        group.joinOrder.removeAll { $0 == memberId }
        switch group.state {
        case .stable, .completingRebalance:
            if group.members.isEmpty {
                group.state = .empty
                group.generationId += 1
                group.leaderId = nil
            } else {
                prepareRebalance(&group, reason: reason)
            }
            groups[groupId] = group
        case .preparingRebalance:
            groups[groupId] = group
            completeJoinIfReady(groupId)
        case .empty:
            groups[groupId] = group
        }
    }

    // MARK: - Offsets

    /// Whether a member may commit offsets for `groupId` now (Kafka's checks in order).
    /// A commit with generation −1 and no member id is a "simple" commit, accepted only
    /// while the group has no members.
    func validateCommit(groupId: String, generationId: Int32, memberId: String) -> KafkaErrorCode {
        if shuttingDown { return .notCoordinator }
        guard var group = groups[groupId], !(group.members.isEmpty && group.state == .empty) else {
            return generationId < 0 ? .noError : .illegalGeneration
        }
        guard group.members[memberId] != nil else { return .unknownMemberId }
        guard generationId == group.generationId else { return .illegalGeneration }
        guard group.state != .completingRebalance else { return .rebalanceInProgress }
        group.members[memberId]?.lastSeen = ContinuousClock.now
        groups[groupId] = group
        return .noError
    }

    // MARK: - Timers and shutdown

    /// Expires members whose session lapsed and completes rebalances whose delay or
    /// timeout passed. Called every 100 ms.
    func tick() {
        let now = ContinuousClock.now
        for groupId in Array(groups.keys) {
            guard var group = groups[groupId] else { continue }
            group.pendingMembers = group.pendingMembers.filter { $0.value > now }
            groups[groupId] = group
            for (id, member) in group.members where member.joinWaiter == nil
                && now - member.lastSeen > .milliseconds(Int(member.sessionTimeoutMs)) {
                logger.info("member session expired", metadata: ["group": "\(groupId)", "member": "\(id)"])
                removeMember(id, from: groupId, reason: "member \(id) session expired")
            }
            completeJoinIfReady(groupId)
            if let group = groups[groupId], group.state == .empty, group.members.isEmpty, group.pendingMembers.isEmpty {
                groups[groupId] = nil
            }
        }
    }

    /// Answers every parked JoinGroup and SyncGroup with NOT_COORDINATOR, so clients
    /// look for the coordinator again (and find the restarted broker).
    func shutdown() {
        shuttingDown = true
        for (groupId, group) in groups {
            for (id, member) in group.members {
                member.joinWaiter?.resume(returning: JoinGroupResponse(errorCode: .notCoordinator, generationId: -1,
                                                                       protocolName: "", leader: "", memberId: id))
                member.syncWaiter?.resume(returning: SyncGroupResponse(errorCode: .notCoordinator, assignment: ByteBuffer()))
                groups[groupId]?.members[id]?.joinWaiter = nil
                groups[groupId]?.members[id]?.syncWaiter = nil
            }
        }
    }

    /// Group states for metrics and logs: group id → (state, members, generation).
    func describe() -> [(groupId: String, state: String, members: Int, generation: Int32)] {
        groups.values.map { ($0.groupId, $0.state.rawValue, $0.members.count, $0.generationId) }.sorted { $0.groupId < $1.groupId }
    }
}
