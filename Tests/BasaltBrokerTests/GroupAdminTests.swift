import Basalt
import BasaltKafka
import NIOCore
import Testing
@testable import BasaltBroker

/// The group administration APIs against an in-process broker: a live group through its
/// whole life (Stable, refused deletion, offsets of subscribed topics kept, Empty, deleted,
/// Dead), a group with only committed offsets, and the consumer subscription parser.
@Suite(.serialized) struct GroupAdminTests {
    /// Kafka's ConsumerProtocolSubscription v0 for `topics`, with no user data.
    static func subscription(_ topics: [String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeKafkaInt16(0)
        try? buffer.writeKafkaStringArray(topics)
        buffer.writeKafkaInt32(-1)
        return buffer
    }

    @Test func subscriptionParserReadsTopicsAndRejectsGarbage() {
        #expect(ConsumerProtocolSubscription(Self.subscription(["a", "b"]))?.topics == ["a", "b"])
        #expect(ConsumerProtocolSubscription(ByteBuffer(bytes: [0, 0, 0x7f, 0xff, 0xff, 0xff])) == nil)
        #expect(ConsumerProtocolSubscription(ByteBuffer(bytes: [0xff, 0xff])) == nil)
        #expect(ConsumerProtocolSubscription(ByteBuffer()) == nil)
    }

    func describe(_ connection: TestConnection, _ group: String, version: Int16 = 5) async throws -> DescribeGroupsResponse.Group? {
        let response = try await connection.roundTrip(.describeGroups(DescribeGroupsRequest(groups: [group])), version: version)
        guard case .describeGroups(let body) = response, body.groups.count == 1 else { return nil }
        return body.groups[0]
    }

    func list(_ connection: TestConnection, states: [String] = []) async throws -> [ListGroupsResponse.Group] {
        let response = try await connection.roundTrip(.listGroups(ListGroupsRequest(statesFilter: states)), version: 4)
        guard case .listGroups(let body) = response else { return [] }
        #expect(body.errorCode == .noError)
        return body.groups
    }

    func delete(_ connection: TestConnection, _ group: String) async throws -> KafkaErrorCode? {
        let response = try await connection.roundTrip(.deleteGroups(DeleteGroupsRequest(groupsNames: [group])), version: 2)
        guard case .deleteGroups(let body) = response else { return nil }
        return body.results.first?.errorCode
    }

    @Test func liveGroupLifecycle() async throws {
        let broker = try await TestBroker.start { $0.groupInitialRebalanceDelayMs = 0 }
        _ = try broker.server.broker.store.createTopic("subscribed", partitions: 2)
        _ = try broker.server.broker.store.createTopic("other", partitions: 1)
        let connection = try broker.connect()
        let metadata = Self.subscription(["subscribed"])
        let join = JoinGroupRequest(groupId: "life", sessionTimeoutMs: 10_000, protocols: [.init(name: "range", metadata: metadata)])
        guard case .joinGroup(let joined) = try await connection.roundTrip(.joinGroup(join), version: 3, clientId: "joiner") else {
            Issue.record("not a JoinGroup response"); return
        }
        #expect(joined.errorCode == .noError)
        let assignment = ByteBuffer(bytes: [0, 0, 0, 0, 0, 1, 0, 10])
        let sync = SyncGroupRequest(groupId: "life", generationId: joined.generationId, memberId: joined.memberId,
                                    assignments: [.init(memberId: joined.memberId, assignment: assignment)])
        guard case .syncGroup(let synced) = try await connection.roundTrip(.syncGroup(sync), version: 2) else {
            Issue.record("not a SyncGroup response"); return
        }
        #expect(synced.errorCode == .noError)
        let commit = OffsetCommitRequest(groupId: "life", generationId: joined.generationId, memberId: joined.memberId, topics: [
            .init(name: "subscribed", partitions: [.init(partitionIndex: 0, committedOffset: 5)]),
            .init(name: "other", partitions: [.init(partitionIndex: 0, committedOffset: 3)]),
        ])
        _ = try await connection.roundTrip(.offsetCommit(commit), version: 2)

        // Stable, with the member's client id, host, metadata and assignment, in v0 and v5.
        for version: Int16 in [0, 4, 5] {
            let stable = try #require(try await describe(connection, "life", version: version))
            #expect(stable.errorCode == .noError)
            #expect(stable.groupState == "Stable")
            #expect(stable.protocolType == "consumer")
            #expect(stable.protocolData == "range")
            #expect(stable.members == [.init(memberId: joined.memberId, clientId: "joiner", clientHost: "/127.0.0.1",
                                             memberMetadata: metadata, memberAssignment: assignment)])
            #expect(stable.authorizedOperations == Int32.min)
        }
        #expect(try await list(connection, states: ["STABLE"]).map(\.groupId) == ["life"])
        #expect(try await list(connection, states: ["Empty"]).isEmpty)

        // Members present: not deleted; the subscribed topic's offsets stay, the other's go.
        #expect(try await delete(connection, "life") == .nonEmptyGroup)
        let offsetDelete = OffsetDeleteRequest(groupId: "life", topics: [
            .init(name: "subscribed", partitionIndexes: [0]), .init(name: "other", partitionIndexes: [0]),
            .init(name: "missing", partitionIndexes: [0]),
        ])
        guard case .offsetDelete(let deleted) = try await connection.roundTrip(.offsetDelete(offsetDelete), version: 0) else {
            Issue.record("not an OffsetDelete response"); return
        }
        #expect(deleted == OffsetDeleteResponse(topics: [
            .init(name: "subscribed", partitions: [.init(partitionIndex: 0, errorCode: .groupSubscribedToTopic)]),
            .init(name: "other", partitions: [.init(partitionIndex: 0)]),
            .init(name: "missing", partitions: [.init(partitionIndex: 0, errorCode: .unknownTopicOrPartition)]),
        ]))
        let store = broker.server.broker.store
        #expect(store.cursors.committedOffsets(group: "life").keys.sorted { $0.topic < $1.topic }
            == [TopicPartition(topic: "subscribed", partition: 0)])

        // Left: Empty (its offsets keep it), then deleted with its offsets, then Dead.
        _ = try await connection.roundTrip(.leaveGroup(LeaveGroupRequest(groupId: "life", memberId: joined.memberId)), version: 1)
        let empty = try #require(try await describe(connection, "life"))
        #expect(empty.groupState == "Empty")
        #expect(empty.members.isEmpty)
        #expect(try await list(connection, states: ["empty"]).map(\.groupId) == ["life"])
        #expect(try await delete(connection, "life") == .noError)
        #expect(store.cursors.committedOffsets(group: "life").isEmpty)
        let dead = try #require(try await describe(connection, "life"))
        #expect(dead.errorCode == .noError)
        #expect(dead.groupState == "Dead")
        #expect(try await delete(connection, "life") == .groupIdNotFound)
        try await broker.stop()
    }

    @Test func groupWithOnlyCommittedOffsets() async throws {
        let broker = try await TestBroker.start()
        _ = try broker.server.broker.store.createTopic("t", partitions: 3)
        let connection = try broker.connect()
        let commit = OffsetCommitRequest(groupId: "simple", topics: [
            .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1), .init(partitionIndex: 2, committedOffset: 7)]),
        ])
        _ = try await connection.roundTrip(.offsetCommit(commit), version: 2)
        #expect(try await list(connection) == [.init(groupId: "simple", protocolType: "", groupState: "Empty", groupType: "")])
        let described = try #require(try await describe(connection, "simple"))
        #expect(described.groupState == "Empty")

        // OffsetDelete of an Empty group removes only what it names, durably.
        let offsetDelete = OffsetDeleteRequest(groupId: "simple", topics: [.init(name: "t", partitionIndexes: [0, 1, 3])])
        guard case .offsetDelete(let deleted) = try await connection.roundTrip(.offsetDelete(offsetDelete), version: 0) else {
            Issue.record("not an OffsetDelete response"); return
        }
        #expect(deleted.errorCode == .noError)
        #expect(deleted.topics[0].partitions.map(\.errorCode) == [.noError, .noError, .unknownTopicOrPartition])
        #expect(broker.server.broker.store.cursors.committedOffsets(group: "simple")
            == [TopicPartition(topic: "t", partition: 2): CommittedOffset(offset: 7, metadata: "", leaderEpoch: nil)])

        guard case .offsetDelete(let unknown) = try await connection.roundTrip(
            .offsetDelete(OffsetDeleteRequest(groupId: "nobody", topics: [])), version: 0) else {
            Issue.record("not an OffsetDelete response"); return
        }
        #expect(unknown.errorCode == .groupIdNotFound)
        try await broker.stop()
    }

    @Test func describeClusterNamesThisBroker() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        guard case .describeCluster(let described) = try await connection.roundTrip(
            .describeCluster(DescribeClusterRequest(includeClusterAuthorizedOperations: true)), version: 1) else {
            Issue.record("not a DescribeCluster response"); return
        }
        let server = broker.server.broker
        #expect(described.errorCode == .noError)
        #expect(described.clusterId == server.clusterId)
        #expect(described.controllerId == server.configuration.nodeId)
        #expect(described.brokers == [.init(brokerId: server.configuration.nodeId, host: server.advertisedAddress.host,
                                            port: Int32(server.advertisedAddress.port))])
        #expect(described.clusterAuthorizedOperations == Broker.clusterAuthorizedOperations)
        guard case .describeCluster(let controllers) = try await connection.roundTrip(
            .describeCluster(DescribeClusterRequest(endpointType: 2)), version: 1) else {
            Issue.record("not a DescribeCluster response"); return
        }
        #expect(controllers.errorCode == .mismatchedEndpointType)
        try await broker.stop()
    }
}
