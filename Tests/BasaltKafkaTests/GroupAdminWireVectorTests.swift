import NIOCore
import Testing
@testable import BasaltKafka

/// Hand-written byte layouts of the group administration, DescribeCluster and DescribeProducers
/// APIs, written field by field from Kafka 3.9's message definitions (`*Request.json`,
/// `*Response.json`), decoded with exact expectations and re-encoded to the same bytes.
@Suite struct GroupAdminWireVectorTests {
    static func hex(_ string: String) -> [UInt8] { WireVectorTests.hex(string) }

    /// Decodes `bytes` as a body of `api` at `version`, expects `expected`, and checks the
    /// encoder writes exactly `bytes` back.
    func checkRequest(_ api: ApiKey, _ version: Int16, _ bytes: String, _ expected: KafkaRequest) throws {
        var buffer = ByteBuffer(bytes: Self.hex(bytes))
        let decoded = try KafkaRequest(from: &buffer, apiKey: api, version: version)
        #expect(buffer.readableBytes == 0)
        #expect(decoded == expected)
        var encoded = ByteBuffer()
        try expected.encode(into: &encoded, version: version)
        #expect(encoded.bytesArray == Self.hex(bytes))
    }

    func checkResponse(_ api: ApiKey, _ version: Int16, _ bytes: String, _ expected: KafkaResponse) throws {
        var buffer = ByteBuffer(bytes: Self.hex(bytes))
        let decoded = try KafkaResponse(from: &buffer, apiKey: api, version: version)
        #expect(buffer.readableBytes == 0)
        #expect(decoded == expected)
        var encoded = ByteBuffer()
        try expected.encode(into: &encoded, version: version)
        #expect(encoded.bytesArray == Self.hex(bytes))
    }

    /// DescribeGroups v5 as a whole frame: request header v2 (flexible), one compact group id,
    /// include_authorized_operations false, empty tag section.
    @Test func describeGroupsV5RequestFrame() throws {
        var frame = ByteBuffer(bytes: Self.hex("000f 0005 00000001 0007 72646b61666b61 00  02 03 6731 00 00"))
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header == RequestHeader(apiKey: .describeGroups, apiVersion: 5, correlationId: 1, clientId: "rdkafka"))
        #expect(request == .describeGroups(DescribeGroupsRequest(groups: ["g1"])))
    }

    /// DescribeGroups v0 response: no throttle time, no authorized operations, int16 strings and
    /// int32 byte lengths.
    @Test func describeGroupsV0Response() throws {
        try checkResponse(.describeGroups, 0, """
            00000001
              0000 0001 67 0006 537461626c65 0008 636f6e73756d6572 0005 72616e6765
              00000001
                0001 6d 0001 63 0002 2f68 00000001 aa 00000002 bbcc
            """,
            .describeGroups(DescribeGroupsResponse(groups: [
                .init(groupId: "g", groupState: "Stable", protocolType: "consumer", protocolData: "range", members: [
                    .init(memberId: "m", clientId: "c", clientHost: "/h",
                          memberMetadata: ByteBuffer(bytes: [0xaa]), memberAssignment: ByteBuffer(bytes: [0xbb, 0xcc])),
                ]),
            ])))
    }

    /// ListGroups v4: the states filter is a regular compact []string in Kafka 3.9's definition
    /// (not a tagged field), and each listed group carries its state.
    @Test func listGroupsV4() throws {
        try checkRequest(.listGroups, 4, "02 07 537461626c65 00", .listGroups(ListGroupsRequest(statesFilter: ["Stable"])))
        try checkResponse(.listGroups, 4, "00000000 0000 02 02 67 09 636f6e73756d6572 06 456d707479 00 00",
                          .listGroups(ListGroupsResponse(groups: [.init(groupId: "g", protocolType: "consumer", groupState: "Empty")])))
    }

    /// ListGroups v0: an empty request body; the response has no throttle time.
    @Test func listGroupsV0() throws {
        try checkRequest(.listGroups, 0, "", .listGroups(ListGroupsRequest()))
        try checkResponse(.listGroups, 0, "0000 00000001 0001 67 0000",
                          .listGroups(ListGroupsResponse(groups: [.init(groupId: "g", protocolType: "")])))
    }

    /// DeleteGroups v2 request (flexible) and v1 response with GROUP_ID_NOT_FOUND (69 = 0x45).
    @Test func deleteGroups() throws {
        try checkRequest(.deleteGroups, 2, "02 02 67 00", .deleteGroups(DeleteGroupsRequest(groupsNames: ["g"])))
        try checkResponse(.deleteGroups, 1, "00000000 00000001 0001 67 0045",
                          .deleteGroups(DeleteGroupsResponse(results: [.init(groupId: "g", errorCode: .groupIdNotFound)])))
    }

    /// OffsetDelete v0: partitions are structs of one int32; the response puts the error code
    /// before the throttle time. GROUP_SUBSCRIBED_TO_TOPIC is 86 = 0x56.
    @Test func offsetDeleteV0() throws {
        try checkRequest(.offsetDelete, 0, "0001 67 00000001 0001 74 00000002 00000000 00000001",
                         .offsetDelete(OffsetDeleteRequest(groupId: "g", topics: [.init(name: "t", partitionIndexes: [0, 1])])))
        try checkResponse(.offsetDelete, 0, "0000 00000000 00000001 0001 74 00000001 00000000 0056",
                          .offsetDelete(OffsetDeleteResponse(topics: [
                              .init(name: "t", partitions: [.init(partitionIndex: 0, errorCode: .groupSubscribedToTopic)]),
                          ])))
    }

    /// DescribeCluster v0 (flexible from v0): null error message, one broker without a rack,
    /// authorized operations −2^31 (not requested).
    @Test func describeClusterV0() throws {
        try checkRequest(.describeCluster, 0, "00 00", .describeCluster(DescribeClusterRequest()))
        try checkResponse(.describeCluster, 0, """
            00000000 0000 00 02 63 00000001
            02 00000001 02 68 00002384 00 00
            80000000 00
            """,
            .describeCluster(DescribeClusterResponse(
                clusterId: "c", controllerId: 1, brokers: [.init(brokerId: 1, host: "h", port: 9092)])))
    }

    /// DescribeCluster v1 adds endpoint_type after include_cluster_authorized_operations and
    /// after error_message.
    @Test func describeClusterV1() throws {
        try checkRequest(.describeCluster, 1, "01 01 00",
                         .describeCluster(DescribeClusterRequest(includeClusterAuthorizedOperations: true, endpointType: 1)))
        try checkResponse(.describeCluster, 1, "00000000 0000 00 01 02 63 ffffffff 01 00000000 00",
                          .describeCluster(DescribeClusterResponse(clusterId: "c", controllerId: -1, brokers: [],
                                                                   clusterAuthorizedOperations: 0)))
    }

    /// DescribeProducers v0: one producer with its last sequence and timestamp, no transaction.
    @Test func describeProducersV0() throws {
        try checkRequest(.describeProducers, 0, "02 02 74 02 00000000 00 00",
                         .describeProducers(DescribeProducersRequest(topics: [.init(name: "t", partitionIndexes: [0])])))
        try checkResponse(.describeProducers, 0, """
            00000000 02 02 74 02
              00000000 0000 00 02
                0000000000000007 00000000 00000004 0000018bcfe56800 ffffffff ffffffffffffffff 00
              00
            00 00
            """,
            .describeProducers(DescribeProducersResponse(topics: [
                .init(name: "t", partitions: [
                    .init(partitionIndex: 0, activeProducers: [
                        .init(producerId: 7, producerEpoch: 0, lastSequence: 4, lastTimestamp: 0x18bcfe56800),
                    ]),
                ]),
            ])))
    }
}
