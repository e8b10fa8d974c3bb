import NIOCore
import Testing
@testable import BasaltKafka

/// Hand-written byte layouts of the topic administration APIs, from Kafka's message
/// definitions (CreatePartitions, DeleteRecords, AlterConfigs, IncrementalAlterConfigs,
/// DescribeLogDirs), decoded and re-encoded with exact expectations.
@Suite struct TopicAdminWireVectorTests {
    static func hex(_ string: String) -> [UInt8] { WireVectorTests.hex(string) }

    /// CreatePartitions v0: one topic to 3 partitions, assignments null, 1000 ms, not
    /// validate-only.
    @Test func createPartitionsV0Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("0025 0000 00000007 ffff  00000001 0001 74 00000003 ffffffff 000003e8 00"))
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header.apiKey == .createPartitions && header.apiVersion == 0 && header.correlationId == 7)
        let expected = CreatePartitionsRequest(topics: [.init(name: "t", count: 3)], timeoutMs: 1000)
        #expect(request == .createPartitions(expected))
        var reencoded = ByteBuffer()
        try request.encode(into: &reencoded, version: 0)
        #expect(reencoded.bytesArray == Self.hex("00000001 0001 74 00000003 ffffffff 000003e8 00"))
    }

    /// CreatePartitions v2 response (flexible): compact array and strings, tag sections.
    @Test func createPartitionsV2Response() throws {
        let response = CreatePartitionsResponse(results: [.init(name: "t", errorCode: .invalidPartitions)])
        var buffer = ByteBuffer()
        try response.encode(into: &buffer, version: 2)
        #expect(buffer.bytesArray == Self.hex("00000000 02 02 74 0025 00 00 00"))
        #expect(try CreatePartitionsResponse(from: &buffer, version: 2) == response)
    }

    /// DeleteRecords v2 (flexible, header v2): offset −1 means the high watermark.
    @Test func deleteRecordsV2Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("""
            0015 0002 00000008 ffff 00
            02 02 74 02 00000000 ffffffffffffffff 00 00 00007530 00
            """))
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header.headerVersion == 2)
        #expect(request == .deleteRecords(DeleteRecordsRequest(
            topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, offset: -1)])], timeoutMs: 30_000)))
    }

    @Test func deleteRecordsV0Response() throws {
        let response = DeleteRecordsResponse(topics: [.init(name: "t", partitions: [.init(partitionIndex: 1, lowWatermark: 150)])])
        var buffer = ByteBuffer()
        try response.encode(into: &buffer, version: 0)
        #expect(buffer.bytesArray == Self.hex("00000000 00000001 0001 74 00000001 00000001 0000000000000096 0000"))
    }

    /// AlterConfigs v0: topic `t`, retention.ms=1000.
    @Test func alterConfigsV0Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("""
            0021 0000 00000009 ffff
            00000001 02 0001 74 00000001 000c 726574656e74696f6e2e6d73 0004 31303030 00
            """))
        let (_, request) = try KafkaRequest.decode(frame: &frame)
        #expect(request == .alterConfigs(AlterConfigsRequest(resources: [
            .init(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", value: "1000")]),
        ])))
    }

    /// IncrementalAlterConfigs v1 (flexible): DELETE retention.ms (null value), validate-only.
    @Test func incrementalAlterConfigsV1Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("""
            002c 0001 0000000a ffff 00
            02 02 02 74 02 0d 726574656e74696f6e2e6d73 01 00 00 00 01 00
            """))
        let (_, request) = try KafkaRequest.decode(frame: &frame)
        #expect(request == .incrementalAlterConfigs(IncrementalAlterConfigsRequest(resources: [
            .init(resourceType: 2, resourceName: "t", configs: [.init(name: "retention.ms", operation: 1, value: nil)]),
        ], validateOnly: true)))
    }

    @Test func incrementalAlterConfigsV0Response() throws {
        let response = IncrementalAlterConfigsResponse(responses: [
            .init(errorCode: .invalidConfig, errorMessage: "x", resourceType: 2, resourceName: "t"),
        ])
        var buffer = ByteBuffer()
        try response.encode(into: &buffer, version: 0)
        #expect(buffer.bytesArray == Self.hex("00000000 00000001 0028 0001 78 02 0001 74"))
    }

    /// DescribeLogDirs v0 for every partition (null topics), and the v4 response with the
    /// volume's total and usable bytes.
    @Test func describeLogDirsV0RequestAndV4Response() throws {
        var frame = ByteBuffer(bytes: Self.hex("0023 0000 0000000b ffff ffffffff"))
        let (_, request) = try KafkaRequest.decode(frame: &frame)
        #expect(request == .describeLogDirs(DescribeLogDirsRequest(topics: nil)))

        let response = DescribeLogDirsResponse(results: [
            .init(logDir: "/d", topics: [.init(name: "t", partitions: [.init(partitionIndex: 1, partitionSize: 1024)])],
                  totalBytes: 1 << 20, usableBytes: 1 << 19),
        ])
        var buffer = ByteBuffer()
        try response.encode(into: &buffer, version: 4)
        #expect(buffer.bytesArray == Self.hex("""
            00000000 0000 02 0000 03 2f64 02 02 74 02 00000001 0000000000000400 0000000000000000 00 00 00
            0000000000100000 0000000000080000 00 00
            """))
        #expect(try DescribeLogDirsResponse(from: &buffer, version: 4) == response)
    }
}
