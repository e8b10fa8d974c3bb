import NIOCore

/// The state of one consumer group (Kafka's classic group protocol, kafka-compat.md §4).
struct ConsumerGroup {
    enum State: String {
        /// No members; committed offsets may still exist.
        case empty
        /// Waiting for every member to (re)join.
        case preparingRebalance
        /// Joined; waiting for the leader's SyncGroup with the assignment.
        case completingRebalance
        /// Everyone has an assignment.
        case stable
    }

    let groupId: String
    var state: State = .empty
    var generationId: Int32 = 0
    var protocolType: String?
    var protocolName: String?
    var leaderId: String?
    var members: [String: GroupMember] = [:]
    /// Member ids in the order they joined; the leader is the first still present.
    var joinOrder: [String] = []
    /// Member ids issued with MEMBER_ID_REQUIRED, not yet joined with, and when they lapse.
    var pendingMembers: [String: ContinuousClock.Instant] = [:]
    /// When the rebalance in progress gives up on members that have not rejoined.
    var rebalanceDeadline: ContinuousClock.Instant?
    /// Until when the first rebalance of an empty group waits for more members.
    var initialDelayDeadline: ContinuousClock.Instant?

    init(groupId: String) {
        self.groupId = groupId
    }

    /// Protocol names every member supports.
    func commonProtocols(including candidate: [(name: String, metadata: ByteBuffer)]? = nil) -> Set<String> {
        var sets = members.values.map { Set($0.protocols.map(\.name)) }
        if let candidate { sets.append(Set(candidate.map(\.name))) }
        guard var common = sets.first else { return [] }
        for set in sets.dropFirst() { common.formIntersection(set) }
        return common
    }

    /// Protocol names every member but `excluded` supports.
    func commonProtocols(excluding excluded: String) -> Set<String> {
        var copy = self
        copy.members[excluded] = nil
        return copy.commonProtocols()
    }

    /// The protocol the members vote for: each votes for its most preferred common one.
    func selectProtocol() -> String? {
        let common = commonProtocols()
        var votes: [String: Int] = [:]
        for id in joinOrder {
            guard let member = members[id], let choice = member.protocols.first(where: { common.contains($0.name) }) else { continue }
            votes[choice.name, default: 0] += 1
        }
        let best = votes.values.max()
        // Ties go to the first member's preference order, so the choice is deterministic.
        let first = joinOrder.compactMap { members[$0] }.first
        return first?.protocols.map(\.name).first { votes[$0] == best } ?? votes.keys.sorted().first
    }
}
