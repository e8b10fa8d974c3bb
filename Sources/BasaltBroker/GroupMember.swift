import BasaltKafka
import NIOCore

/// One member of a consumer group, as the coordinator tracks it.
struct GroupMember {
    let memberId: String
    var clientId: String
    /// The member's address as DescribeGroups shows it ("/127.0.0.1").
    var clientHost: String
    var groupInstanceId: String?
    var sessionTimeoutMs: Int32
    var rebalanceTimeoutMs: Int32
    var protocolType: String
    /// Assignor names with the member's subscription bytes, most preferred first.
    var protocols: [(name: String, metadata: ByteBuffer)]
    /// Last JoinGroup, SyncGroup, Heartbeat or OffsetCommit.
    var lastSeen: ContinuousClock.Instant
    /// The member's parked JoinGroup, answered when the rebalance completes.
    var joinWaiter: CheckedContinuation<JoinGroupResponse, Never>?
    /// The member's parked SyncGroup, answered when the leader's assignment arrives.
    var syncWaiter: CheckedContinuation<SyncGroupResponse, Never>?
    /// What the leader assigned it in the current generation.
    var assignment: ByteBuffer

    /// The member's subscription bytes for `protocolName`.
    func metadata(for protocolName: String) -> ByteBuffer? {
        protocols.first { $0.name == protocolName }?.metadata
    }

    func hasSameProtocols(as other: [(name: String, metadata: ByteBuffer)]) -> Bool {
        protocols.count == other.count && zip(protocols, other).allSatisfy { $0.name == $1.name && $0.metadata == $1.metadata }
    }
}

