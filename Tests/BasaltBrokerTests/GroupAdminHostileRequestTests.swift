import BasaltKafka
import NIOCore
import Testing
@testable import BasaltBroker

/// Hostile group administration requests: forged counts, invalid UTF-8, oversized names.
/// Each gets a closed connection or an error code, and the broker goes on serving.
@Suite(.serialized) struct GroupAdminHostileRequestTests {
    typealias Hostile = HostileRequestTests

    func expectClosed(api: ApiKey, version: Int16, body: [UInt8]) async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        connection.send(Hostile.frame(api: api, version: version, clientId: Array("hostile".utf8), body: body))
        #expect(try await connection.closedByPeer())
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    @Test func describeGroupsWithTwoBillionGroupsClosesTheConnection() async throws {
        try await expectClosed(api: .describeGroups, version: 0, body: Hostile.int32(2_000_000_000) + Hostile.int16(1) + [0x61])
    }

    @Test func describeGroupsWithInvalidUTF8GroupIdClosesTheConnection() async throws {
        try await expectClosed(api: .describeGroups, version: 0, body: Hostile.int32(1) + Hostile.int16(3) + [0xC3, 0x28, 0xFF])
    }

    /// v5 is flexible: the count is a uvarint, here the largest (2^32 − 1, i.e. 2^32 − 2 groups).
    @Test func flexibleDescribeGroupsWithHugeCompactCountClosesTheConnection() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        // Header v2: the client id keeps its int16 length, then an empty tag section.
        let frame = Hostile.frame(api: .describeGroups, version: 5, clientId: Array("hostile".utf8),
                                  body: [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x02, 0x61])
        connection.send(frame)
        #expect(try await connection.closedByPeer())
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    @Test func listGroupsWithTwoBillionStatesClosesTheConnection() async throws {
        // v4 is flexible: header tag section, then a compact array count of 2^31 (uvarint 2^31 + 1).
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        let frame = Hostile.frame(api: .listGroups, version: 4, clientId: Array("hostile".utf8),
                                  body: [0x00, 0x81, 0x80, 0x80, 0x80, 0x08, 0x00])
        connection.send(frame)
        #expect(try await connection.closedByPeer())
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    @Test func offsetDeleteWithTwoBillionPartitionsClosesTheConnection() async throws {
        let body = Hostile.int16(1) + [0x67] + Hostile.int32(1) + Hostile.int16(1) + [0x74] + Hostile.int32(2_000_000_000)
        try await expectClosed(api: .offsetDelete, version: 0, body: body)
    }

    /// A group id of 32767 bytes (the longest a string can be) is looked up like any other
    /// and echoed back: unknown, so GROUP_ID_NOT_FOUND or Dead. The answer is encodable since
    /// it is no longer than it came. OffsetDelete refuses the empty id, as Kafka does.
    @Test func groupAdminWithLongestAndEmptyGroupIds() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        let name = String(repeating: "g", count: Int(Int16.max))
        guard case .deleteGroups(let deleted) = try await connection.roundTrip(
            .deleteGroups(DeleteGroupsRequest(groupsNames: [name, ""])), version: 1) else {
            Issue.record("not a DeleteGroups response"); return
        }
        #expect(deleted.results.map(\.errorCode) == [.groupIdNotFound, .groupIdNotFound])
        guard case .describeGroups(let described) = try await connection.roundTrip(
            .describeGroups(DescribeGroupsRequest(groups: [name, ""])), version: 5) else {
            Issue.record("not a DescribeGroups response"); return
        }
        #expect(described.groups.map(\.groupState) == ["Dead", "Dead"])
        #expect(described.groups.first?.groupId == name)
        for (groupId, code) in [(name, KafkaErrorCode.groupIdNotFound), ("", .invalidGroupId)] {
            guard case .offsetDelete(let offsets) = try await connection.roundTrip(
                .offsetDelete(OffsetDeleteRequest(groupId: groupId, topics: [])), version: 0) else {
                Issue.record("not an OffsetDelete response"); return
            }
            #expect(offsets.errorCode == code)
        }
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    /// Partitions that do not exist, including negative ones, are answered per partition.
    @Test func describeProducersOfMissingPartitions() async throws {
        let broker = try await TestBroker.start()
        _ = try broker.server.broker.store.createTopic("p", partitions: 1)
        let connection = try broker.connect()
        guard case .describeProducers(let described) = try await connection.roundTrip(
            .describeProducers(DescribeProducersRequest(topics: [
                .init(name: "p", partitionIndexes: [-1, 0, Int32.max]), .init(name: "absent", partitionIndexes: [0]),
            ])), version: 0) else {
            Issue.record("not a DescribeProducers response"); return
        }
        #expect(described.topics.map { $0.partitions.map(\.errorCode) }
            == [[.unknownTopicOrPartition, .noError, .unknownTopicOrPartition], [.unknownTopicOrPartition]])
        try await broker.stop()
    }
}
