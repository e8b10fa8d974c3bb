/// Spreads the replicas of a new topic's partitions over the live brokers, as Kafka's
/// controller does without racks: partition `p`'s first replica is broker
/// `(start + p) mod n`, and the followers come after it with a shift that grows once per
/// full round, so leaders and followers are both spread evenly.
public enum ReplicaPlacement {
    /// The replica lists of `partitions` partitions with `replicationFactor` replicas each.
    ///
    /// - Parameters:
    ///   - brokers: the live broker ids; order does not matter (they are sorted).
    ///   - start: where the first partition's leader falls; the controller picks it at
    ///     random so that many one-partition topics do not all land on the lowest id.
    /// - Throws: ``ReplicaPlacementError`` when the replication factor is below 1 or above
    ///   the number of brokers, or `partitions` is below 1.
    public static func assign(
        partitions: Int, replicationFactor: Int, brokers: [Int32], start: Int
    ) throws(ReplicaPlacementError) -> [[Int32]] {
        let sorted = Array(Set(brokers)).sorted()
        guard partitions >= 1 else { throw .invalidPartitionCount(partitions) }
        guard replicationFactor >= 1, replicationFactor <= sorted.count else {
            throw .invalidReplicationFactor(replicationFactor, liveBrokers: sorted.count)
        }
        let count = sorted.count
        let first = ((start % count) + count) % count
        var shift = count > 1 ? first % (count - 1) : 0
        var assignment: [[Int32]] = []
        assignment.reserveCapacity(partitions)
        for partition in 0..<partitions {
            if partition > 0, partition % count == 0, count > 1 { shift = (shift + 1) % (count - 1) }
            let leaderIndex = (first + partition) % count
            var replicas = [sorted[leaderIndex]]
            for follower in 0..<(replicationFactor - 1) {
                // 1 + (shift + follower) mod (n − 1) is never 0, so no replica repeats.
                let step = count > 1 ? 1 + (shift + follower) % (count - 1) : 0
                replicas.append(sorted[(leaderIndex + step) % count])
            }
            assignment.append(replicas)
        }
        return assignment
    }
}

/// Why replicas could not be placed.
public enum ReplicaPlacementError: Error, Equatable, Sendable {
    /// The replication factor is below 1 or above the live broker count.
    case invalidReplicationFactor(Int, liveBrokers: Int)
    /// The partition count is below 1.
    case invalidPartitionCount(Int)
}
