import BasaltTesting
import Testing
@testable import BasaltBroker

/// The controller's and the leader's replication rules, run with a manual clock and many
/// seeded random histories: placement, leader election, the ISR and the high watermark.
@Suite struct ReplicationRulesTests {
    // MARK: - Placement

    @Test func placementSpreadsLeadersAndReplicasEvenly() throws {
        for brokers in 1...7 {
            let ids = (0..<brokers).map { Int32(10 + $0) }
            for replicationFactor in 1...brokers {
                for start in 0..<brokers {
                    let partitions = brokers * 4
                    let assignment = try ReplicaPlacement.assign(
                        partitions: partitions, replicationFactor: replicationFactor, brokers: ids.reversed(), start: start)
                    #expect(assignment.count == partitions)
                    for replicas in assignment {
                        #expect(replicas.count == replicationFactor)
                        #expect(Set(replicas).count == replicationFactor, "\(replicas) repeats a broker")
                        #expect(replicas.allSatisfy(ids.contains))
                    }
                    var leaders: [Int32: Int] = [:]
                    var hosted: [Int32: Int] = [:]
                    for replicas in assignment {
                        leaders[replicas[0], default: 0] += 1
                        for replica in replicas { hosted[replica, default: 0] += 1 }
                    }
                    #expect(leaders.values.allSatisfy { $0 == 4 }, "leaders \(leaders)")
                    #expect(hosted.values.allSatisfy { $0 == 4 * replicationFactor }, "replicas \(hosted)")
                }
            }
        }
    }

    @Test func placementRefusesImpossibleRequests() {
        #expect(throws: ReplicaPlacementError.invalidReplicationFactor(4, liveBrokers: 3)) {
            try ReplicaPlacement.assign(partitions: 1, replicationFactor: 4, brokers: [1, 2, 3], start: 0)
        }
        #expect(throws: ReplicaPlacementError.invalidReplicationFactor(0, liveBrokers: 3)) {
            try ReplicaPlacement.assign(partitions: 1, replicationFactor: 0, brokers: [1, 2, 3], start: 0)
        }
        #expect(throws: ReplicaPlacementError.invalidPartitionCount(0)) {
            try ReplicaPlacement.assign(partitions: 0, replicationFactor: 1, brokers: [1], start: 0)
        }
        #expect(throws: ReplicaPlacementError.invalidReplicationFactor(1, liveBrokers: 0)) {
            try ReplicaPlacement.assign(partitions: 1, replicationFactor: 1, brokers: [], start: -5)
        }
    }

    // MARK: - Partition state from a peer

    @Test func partitionStateValidation() {
        #expect(throws: Never.self) { try PartitionState.initial(replicas: [1, 2, 3]).validate() }
        let bad: [PartitionState] = [
            PartitionState(replicas: [], leader: -1, leaderEpoch: 0, isr: [], partitionEpoch: 0),
            PartitionState(replicas: [1, 1], leader: 1, leaderEpoch: 0, isr: [1], partitionEpoch: 0),
            PartitionState(replicas: [1, 2], leader: 3, leaderEpoch: 0, isr: [1, 2], partitionEpoch: 0),
            PartitionState(replicas: [1, 2], leader: 1, leaderEpoch: 0, isr: [1, 3], partitionEpoch: 0),
            PartitionState(replicas: [1, 2], leader: 2, leaderEpoch: 0, isr: [1], partitionEpoch: 0),
            PartitionState(replicas: [1, 2], leader: 1, leaderEpoch: -1, isr: [1], partitionEpoch: 0),
            PartitionState(replicas: [-4], leader: -1, leaderEpoch: 0, isr: [], partitionEpoch: 0),
            PartitionState(replicas: (0..<65).map(Int32.init), leader: 0, leaderEpoch: 0, isr: [0], partitionEpoch: 0),
        ]
        for state in bad {
            #expect(throws: PartitionStateError.self, "\(state)") { try state.validate() }
        }
    }

    // MARK: - Leader election

    @Test func deadLeaderIsReplacedFromTheIsrInReplicaOrder() throws {
        let state = PartitionState(replicas: [1, 2, 3], leader: 1, leaderEpoch: 4, isr: [1, 3, 2], partitionEpoch: 9)
        let next = try #require(try LeaderElection.afterFailures(state, live: [2, 3], uncleanAllowed: false))
        #expect(next.leader == 2)
        #expect(next.isr == [2, 3])
        #expect(next.leaderEpoch == 5)
        #expect(next.partitionEpoch == 10)
        // Nothing to do when every ISR member lives.
        #expect(try LeaderElection.afterFailures(next, live: [1, 2, 3], uncleanAllowed: false) == nil)
    }

    @Test func noLiveIsrMemberTakesThePartitionOfflineUnlessUncleanIsAllowed() throws {
        let state = PartitionState(replicas: [1, 2, 3], leader: 1, leaderEpoch: 0, isr: [1], partitionEpoch: 0)
        let offline = try #require(try LeaderElection.afterFailures(state, live: [2, 3], uncleanAllowed: false))
        #expect(offline.leader == PartitionState.noLeader)
        #expect(offline.isr == [1])
        #expect(try offline.validate() == ())
        // The last ISR member comes back and leads again.
        let back = try #require(try LeaderElection.afterReturn(offline, broker: 1, live: [1, 2, 3]))
        #expect(back.leader == 1)
        #expect(back.leaderEpoch == offline.leaderEpoch + 1)
        // A replica that was not in sync does not.
        #expect(try LeaderElection.afterReturn(offline, broker: 2, live: [1, 2, 3]) == nil)
        let unclean = try #require(try LeaderElection.afterFailures(state, live: [2, 3], uncleanAllowed: true))
        #expect(unclean.leader == 2)
        #expect(unclean.isr == [2])
    }

    @Test func controlledShutdownMovesLeadershipFirst() throws {
        let state = PartitionState(replicas: [1, 2, 3], leader: 1, leaderEpoch: 2, isr: [1, 2, 3], partitionEpoch: 5)
        let next = try #require(try LeaderElection.forControlledShutdown(state, broker: 1, live: [1, 2, 3]))
        #expect(next.leader == 2)
        #expect(next.isr == [2, 3])
        #expect(next.leaderEpoch == 3)
        // A follower only leaves the ISR.
        let follower = try #require(try LeaderElection.forControlledShutdown(state, broker: 3, live: [1, 2, 3]))
        #expect(follower.leader == 1)
        #expect(follower.isr == [1, 2])
        #expect(follower.leaderEpoch == 2)
        // The only ISR member keeps leading until it stops.
        let alone = PartitionState(replicas: [1, 2], leader: 1, leaderEpoch: 0, isr: [1], partitionEpoch: 0)
        #expect(try LeaderElection.forControlledShutdown(alone, broker: 1, live: [1, 2]) == nil)
    }

    /// Model check over random failure histories: with clean elections only, whoever leads
    /// holds every committed record, every state validates, and the leader epoch grows on
    /// every change of leader.
    @Test func cleanElectionsNeverLoseCommittedRecords() throws {
        for seed in UInt64(1)...400 {
            var random = SeededGenerator(seed: seed)
            let brokers: [Int32] = [1, 2, 3, 4]
            var live = Set(brokers)
            var state = PartitionState.initial(replicas: [2, 4, 1])
            // Which brokers hold every committed record (the model's ground truth).
            var complete = Set(state.replicas)
            for step in 0..<60 {
                let before = state
                switch Int.random(in: 0..<5, using: &random) {
                case 0 where live.count > 1:  // a broker dies
                    let victim = live.randomElement(using: &random)!
                    live.remove(victim)
                    if let next = try LeaderElection.afterFailures(state, live: live, uncleanAllowed: false) { state = next }
                case 1:  // a broker returns
                    if let back = Set(brokers).subtracting(live).randomElement(using: &random) {
                        live.insert(back)
                        if let next = try LeaderElection.afterReturn(state, broker: back, live: live) { state = next }
                    }
                case 2:  // a record is committed: every ISR member has it, nobody else
                    if state.leader != PartitionState.noLeader { complete = complete.intersection(state.isr) }
                case 3:  // a live follower catches up and rejoins through its leader
                    if state.leader != PartitionState.noLeader,
                       let joiner = state.replicas.filter({ live.contains($0) && !state.isr.contains($0) }).first {
                        state.isr.append(joiner)
                        state.partitionEpoch += 1
                        complete.insert(joiner)
                    }
                default:  // a controlled shutdown of a random live broker
                    if let leaving = live.randomElement(using: &random),
                       let next = try LeaderElection.forControlledShutdown(state, broker: leaving, live: live) {
                        state = next
                    }
                }
                try state.validate()
                if state.leader != PartitionState.noLeader {
                    #expect(complete.contains(state.leader), "seed \(seed) step \(step): leader \(state.leader) misses committed records")
                    #expect(live.contains(state.leader), "seed \(seed) step \(step): dead leader")
                }
                #expect(state.isr.allSatisfy(complete.contains), "seed \(seed) step \(step): isr \(state.isr) ⊄ \(complete)")
                if state.leader != before.leader { #expect(state.leaderEpoch > before.leaderEpoch, "seed \(seed) step \(step)") }
                #expect(state.partitionEpoch >= before.partitionEpoch)
            }
        }
    }

    // MARK: - ISR and high watermark

    @Test func highWatermarkIsTheLowestIsrLogEnd() {
        var tracker = LeaderReplicaTracker(leaderId: 1, leaderEpoch: 0, replicas: [1, 2, 3], isr: [1, 2, 3],
                                           leaderLogEndOffset: 0, highWatermark: 0, nowMs: 0)
        _ = tracker.leaderAppended(logEndOffset: 10)
        #expect(tracker.highWatermark == 0)  // followers not heard from yet
        _ = tracker.followerFetched(replica: 2, fetchOffset: 10, nowMs: 1)
        #expect(tracker.highWatermark == 0)
        let moved = tracker.followerFetched(replica: 3, fetchOffset: 6, nowMs: 1)
        #expect(moved)
        #expect(tracker.highWatermark == 6)
        #expect(tracker.acknowledgement(lastOffset: 5, minInSyncReplicas: 2) == .committed)
        #expect(tracker.acknowledgement(lastOffset: 6, minInSyncReplicas: 2) == .waiting)
        // Replica 3 leaves the ISR: the high watermark follows the remaining members.
        tracker.proposeIsr([1, 2])
        let movedWhileProposed = tracker.followerFetched(replica: 2, fetchOffset: 10, nowMs: 2)
        #expect(!movedWhileProposed)
        #expect(tracker.highWatermark == 6, "a proposed shrink must not move the high watermark")
        let movedOnConfirm = tracker.confirmIsr([1, 2])
        #expect(movedOnConfirm)
        #expect(tracker.highWatermark == 10)
        #expect(tracker.acknowledgement(lastOffset: 9, minInSyncReplicas: 3) == .committedBelowMinimumIsr)
        // It may rejoin once it reaches the high watermark and the epoch start.
        #expect(tracker.followersReadyToJoin(epochStartOffset: 0) == [])
        _ = tracker.followerFetched(replica: 3, fetchOffset: 10, nowMs: 3)
        #expect(tracker.followersReadyToJoin(epochStartOffset: 0) == [3])
        #expect(tracker.followersReadyToJoin(epochStartOffset: 11) == [])
    }

    @Test func laggingFollowersAreFoundByTheirLastCaughtUpTime() {
        var tracker = LeaderReplicaTracker(leaderId: 1, leaderEpoch: 0, replicas: [1, 2, 3], isr: [1, 2, 3],
                                           leaderLogEndOffset: 100, highWatermark: 100, nowMs: 0)
        // 2 keeps fetching at the end; 3 keeps fetching but stays behind.
        for now in stride(from: Int64(1000), through: 40_000, by: 1000) {
            _ = tracker.leaderAppended(logEndOffset: 100 + now / 100)
            _ = tracker.followerFetched(replica: 2, fetchOffset: tracker.leaderLogEndOffset, nowMs: now)
            _ = tracker.followerFetched(replica: 3, fetchOffset: 100, nowMs: now)
        }
        #expect(tracker.laggingFollowers(nowMs: 40_000, lagMaxMs: 30_000) == [3])
        // A follower that reaches the leader's end as of its previous fetch counts as caught
        // up at that previous fetch, even though the leader has grown since.
        var steady = LeaderReplicaTracker(leaderId: 1, leaderEpoch: 0, replicas: [1, 2], isr: [1, 2],
                                          leaderLogEndOffset: 0, highWatermark: 0, nowMs: 0)
        var fetchedTo: Int64 = 0
        for now in stride(from: Int64(500), through: 60_000, by: 500) {
            let endBefore = steady.leaderLogEndOffset
            _ = steady.leaderAppended(logEndOffset: endBefore + 7)
            _ = steady.followerFetched(replica: 2, fetchOffset: fetchedTo, nowMs: now)
            fetchedTo = endBefore + 7
        }
        #expect(steady.laggingFollowers(nowMs: 60_000, lagMaxMs: 30_000) == [])
    }

    /// Random fetches and appends: the high watermark never moves back, never passes the
    /// log end of any member of the (maximal) ISR, and reaches the leader's end once every
    /// ISR member has fetched it.
    @Test func highWatermarkInvariantsHoldOverRandomHistories() {
        for seed in UInt64(1)...300 {
            var random = SeededGenerator(seed: seed)
            var tracker = LeaderReplicaTracker(leaderId: 1, leaderEpoch: 3, replicas: [1, 2, 3, 4], isr: [1, 2, 3, 4],
                                               leaderLogEndOffset: 50, highWatermark: 20, nowMs: 0)
            var followerEnds: [Int32: Int64] = [2: 20, 3: 20, 4: 20]
            var now: Int64 = 0
            for step in 0..<200 {
                now += Int64.random(in: 0...50, using: &random)
                let before = tracker.highWatermark
                switch Int.random(in: 0..<6, using: &random) {
                case 0:
                    _ = tracker.leaderAppended(logEndOffset: tracker.leaderLogEndOffset + Int64.random(in: 1...9, using: &random))
                case 1 where tracker.proposedIsr == nil:
                    if Bool.random(using: &random) {
                        // Shrink: any members but the leader may go.
                        let members = tracker.isr.filter { _ in Bool.random(using: &random) }
                        tracker.proposeIsr(Array(Set([1] + members)).sorted())
                    } else {
                        // Expand with the followers that qualify to join.
                        let joiners = tracker.followersReadyToJoin(epochStartOffset: 50)
                        if !joiners.isEmpty { tracker.proposeIsr(Array(Set(tracker.isr + joiners)).sorted()) }
                    }
                case 2:
                    if let proposed = tracker.proposedIsr {
                        if Bool.random(using: &random) { _ = tracker.confirmIsr(proposed) } else { _ = tracker.abandonProposedIsr() }
                    }
                default:
                    let replica = Int32.random(in: 2...4, using: &random)
                    let end = min(tracker.leaderLogEndOffset, followerEnds[replica]! + Int64.random(in: 0...12, using: &random))
                    followerEnds[replica] = end
                    _ = tracker.followerFetched(replica: replica, fetchOffset: end, nowMs: now)
                }
                #expect(tracker.highWatermark >= before, "seed \(seed) step \(step): high watermark moved back")
                #expect(tracker.highWatermark <= tracker.leaderLogEndOffset)
                for member in tracker.maximalIsr where member != 1 {
                    #expect(tracker.highWatermark <= max(followerEnds[member]!, 20),
                            "seed \(seed) step \(step): high watermark \(tracker.highWatermark) passed replica \(member) at \(followerEnds[member]!)")
                }
            }
            // Everyone catches up: the high watermark reaches the end.
            if let proposed = tracker.proposedIsr { _ = tracker.confirmIsr(proposed) }
            for replica in tracker.isr where replica != 1 {
                _ = tracker.followerFetched(replica: replica, fetchOffset: tracker.leaderLogEndOffset, nowMs: now + 1)
            }
            #expect(tracker.highWatermark == tracker.leaderLogEndOffset, "seed \(seed)")
        }
    }
}
