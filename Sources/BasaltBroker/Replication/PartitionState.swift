/// Who leads a partition and who is in sync with it: the record the controller keeps in
/// etcd under `/basalt/<cluster>/partitions/<topic>/<partition>` (docs/replication.md).
///
/// Every change bumps ``partitionEpoch`` and is written with a compare-and-swap on the
/// key's etcd revision, so two writers (an old and a new controller, a leader shrinking
/// its ISR while the controller moves leadership) can never both win. Every change of
/// leader also bumps ``leaderEpoch``, which stamps the batches the new leader writes and
/// fences requests that carry an older one.
public struct PartitionState: Sendable, Equatable, Codable {
    /// The assigned replicas, in preference order; the first is the preferred leader.
    public var replicas: [Int32]
    /// The leader's node id, or ``noLeader`` while no eligible replica is alive.
    public var leader: Int32
    /// Bumped on every change of leader (Kafka's leader epoch).
    public var leaderEpoch: Int32
    /// In-sync replicas, the leader first when there is one.
    public var isr: [Int32]
    /// Bumped on every change of this record (Kafka's partition epoch).
    public var partitionEpoch: Int32

    /// The leader id of a partition that has none.
    public static let noLeader: Int32 = -1

    /// Creates a state.
    public init(replicas: [Int32], leader: Int32, leaderEpoch: Int32, isr: [Int32], partitionEpoch: Int32) {
        self.replicas = replicas
        self.leader = leader
        self.leaderEpoch = leaderEpoch
        self.isr = isr
        self.partitionEpoch = partitionEpoch
    }

    /// The state of a new partition: the first replica leads, every replica is in sync,
    /// epochs start at 0.
    public static func initial(replicas: [Int32]) -> PartitionState {
        PartitionState(replicas: replicas, leader: replicas.first ?? noLeader, leaderEpoch: 0,
                       isr: replicas, partitionEpoch: 0)
    }

    /// Checks what a peer's bytes must satisfy before the state is used: a non-empty
    /// replica list without duplicates or negative ids, an ISR drawn from it, a leader
    /// that is in the ISR (or none), non-negative epochs.
    ///
    /// - Throws: ``PartitionStateError/invalid(_:)`` naming the first rule broken.
    public func validate() throws(PartitionStateError) {
        guard !replicas.isEmpty, replicas.count <= Self.maxReplicas else {
            throw .invalid("replica count \(replicas.count) is outside 1...\(Self.maxReplicas)")
        }
        guard Set(replicas).count == replicas.count, replicas.allSatisfy({ $0 >= 0 }) else {
            throw .invalid("replicas \(replicas) repeat an id or hold a negative one")
        }
        guard Set(isr).count == isr.count, isr.allSatisfy(replicas.contains) else {
            throw .invalid("isr \(isr) is not a set drawn from replicas \(replicas)")
        }
        guard leader == Self.noLeader || isr.contains(leader) else {
            throw .invalid("leader \(leader) is not in isr \(isr)")
        }
        guard leaderEpoch >= 0, partitionEpoch >= 0 else {
            throw .invalid("negative epoch: leader \(leaderEpoch), partition \(partitionEpoch)")
        }
    }

    /// Most replicas a partition may have; bounds what a peer's record can make us hold.
    public static let maxReplicas = 64
}

/// Why a partition state cannot be used.
public enum PartitionStateError: Error, Equatable, Sendable {
    /// The record breaks a rule of ``PartitionState/validate()``.
    case invalid(String)
    /// An epoch would pass `Int32.max`.
    case epochExhausted
}
