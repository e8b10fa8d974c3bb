import NIOCore
import Testing
@testable import BasaltKafka

/// Hand-written byte layouts from kafka-compat.md §1.9, §3 and the Kafka message definitions,
/// decoded (and re-encoded) with exact expectations.
@Suite struct WireVectorTests {
    static func hex(_ string: String) -> [UInt8] {
        let digits = string.filter { $0.isHexDigit }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// ApiVersions v3 as librdkafka sends it first: header v2 (client id keeps its int16 length,
    /// then an empty tag section), body of two compact strings and a tag section. This one also
    /// carries an unknown tag in the body, which must be skipped.
    @Test func apiVersionsV3FromLibrdkafka() throws {
        var frame = ByteBuffer(bytes: Self.hex("""
            0012 0003 00000001 0007 72646b61666b61 00
            0b 6c69627264 6b61666b61
            06 322e302e32
            01 07 02 abcd
            """))
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header == RequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationId: 1, clientId: "rdkafka"))
        #expect(header.headerVersion == 2)
        #expect(request == .apiVersions(ApiVersionsRequest(clientSoftwareName: "librdkafka", clientSoftwareVersion: "2.0.2")))

        var reencoded = ByteBuffer()
        try request.encode(into: &reencoded, version: 3)
        #expect(reencoded.bytesArray == Self.hex("0b 6c696272646b61666b61 06 322e302e32 00"))
    }

    /// Metadata v1 with one topic, and with a null topic list (= all topics).
    @Test func metadataV1Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("0003 0001 0000002a 0004 6b636174 00000001 0005 68656c6c6f"))
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header == RequestHeader(apiKey: .metadata, apiVersion: 1, correlationId: 42, clientId: "kcat"))
        #expect(request == .metadata(MetadataRequest(topics: ["hello"])))

        var all = ByteBuffer(bytes: Self.hex("0003 0001 0000002b ffff ffffffff"))
        let (nullHeader, allRequest) = try KafkaRequest.decode(frame: &all)
        #expect(nullHeader.clientId == nil)
        guard case .metadata(let metadata) = allRequest else {
            Issue.record("not metadata")
            return
        }
        #expect(metadata.topics == nil)
        #expect(metadata.requestsAllTopics(version: 1))
    }

    /// The 74-byte batch of kafka-compat.md §1.9 inside a Produce v3 request.
    static let batch = hex("""
        0000000000000000 0000003e 00000000 02 675a95fd 0000 00000000
        0000018bcfe56800 0000018bcfe56800 ffffffffffffffff ffff ffffffff 00000001
        18 00 00 00 02 6b 02 76 02 02 68 02 31
        """)

    @Test func produceV3WithOneBatch() throws {
        #expect(Self.batch.count == 74)
        var frame = ByteBuffer(bytes: Self.hex("0000 0003 00000007 0002 6b70 ffff ffff 00007530 00000001 0001 74 00000001 00000000 0000004a")
            + Self.batch)
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header.apiKey == .produce && header.apiVersion == 3 && header.correlationId == 7 && header.clientId == "kp")
        guard case .produce(let produce) = request else {
            Issue.record("not produce")
            return
        }
        #expect(produce.transactionalId == nil)
        #expect(produce.acks == -1)
        #expect(produce.timeoutMs == 30000)
        #expect(produce.topicData.count == 1)
        #expect(produce.topicData[0].name == "t")
        #expect(produce.topicData[0].partitionData.count == 1)
        #expect(produce.topicData[0].partitionData[0].index == 0)
        #expect(produce.topicData[0].partitionData[0].records?.bytesArray == Self.batch)
    }

    /// The broker's answer to an ApiVersions version it does not support (kafka-compat.md §3.6):
    /// header v0, v0 body with only the ApiVersions entry.
    @Test func unsupportedApiVersionsAnswer() throws {
        var frame = ByteBuffer(bytes: Self.hex("0012 0005 00000009 0001 78 00 0000"))
        #expect(throws: KafkaProtocolError.unsupportedVersion(apiKey: .apiVersions, version: 5, correlationId: 9)) {
            try KafkaRequest.decode(frame: &frame)
        }
        let response = KafkaResponse.apiVersions(
            ApiVersionsResponse(
                errorCode: .unsupportedVersion,
                apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 4)]))
        var out = ByteBuffer()
        try response.encodeFrame(correlationId: 9, version: 0, into: &out)
        #expect(out.bytesArray == Self.hex("00000010 00000009 0023 00000001 0012 0000 0004"))
    }

    /// ApiVersions v3 responses use header v0 (no tag byte after the correlation id) but a
    /// compact body; other flexible responses use header v1.
    @Test func responseHeaderVersions() throws {
        var out = ByteBuffer()
        try KafkaResponse.apiVersions(
            ApiVersionsResponse(apiKeys: [.init(apiKey: 3, minVersion: 0, maxVersion: 8)], throttleTimeMs: 0)
        ).encodeFrame(correlationId: 1, version: 3, into: &out)
        #expect(out.bytesArray == Self.hex("00000013 00000001 0000 02 0003 0000 0008 00 00000000 00"))

        var flexible = ByteBuffer()
        try KafkaResponse.initProducerId(InitProducerIdResponse(producerId: 5, producerEpoch: 0))
            .encodeFrame(correlationId: 2, version: 2, into: &flexible)
        #expect(flexible.bytesArray == Self.hex("00000016 00000002 00 00000000 0000 0000000000000005 0000 00"))
        #expect(ApiKey.apiVersions.responseHeaderVersion(4) == 0)
        #expect(ApiKey.metadata.responseHeaderVersion(8) == 0)
        #expect(ApiKey.initProducerId.responseHeaderVersion(2) == 1)
    }

    /// InitProducerId v2 is flexible: request header v2 and a compact nullable string.
    @Test func initProducerIdV2Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("0016 0002 00000003 ffff 00  00 0000ea60 00"))
        let (header, request) = try KafkaRequest.decode(frame: &frame)
        #expect(header == RequestHeader(apiKey: .initProducerId, apiVersion: 2, correlationId: 3, clientId: nil))
        #expect(request == .initProducerId(InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: 60000)))
    }

    /// Fetch v4 as kafka-python 2.0.2 sends it.
    @Test func fetchV4Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("""
            0001 0004 00000010 0000
            ffffffff 000001f4 00000001 03200000 00
            00000001 0001 74 00000001 00000002 000000000000000a 00100000
            """))
        let (_, request) = try KafkaRequest.decode(frame: &frame)
        #expect(request == .fetch(FetchRequest(
            replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 52_428_800, isolationLevel: 0,
            topics: [.init(topic: "t", partitions: [.init(partition: 2, fetchOffset: 10, partitionMaxBytes: 1_048_576)])])))
    }

    /// Fetch v0 from the spec: no max_bytes, no isolation_level.
    @Test func fetchV0Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("""
            0001 0000 00000010 0000
            ffffffff 00000064 00000001
            00000001 0001 74 00000001 00000002 000000000000000a 00001000
            """))
        let (_, request) = try KafkaRequest.decode(frame: &frame)
        #expect(request == .fetch(FetchRequest(
            maxWaitMs: 100, minBytes: 1,
            topics: [.init(topic: "t", partitions: [.init(partition: 2, fetchOffset: 10, partitionMaxBytes: 4096)])])))
    }

    /// OffsetCommit v1 from the spec: generation and member, a commit timestamp per partition.
    @Test func offsetCommitV1Request() throws {
        var frame = ByteBuffer(bytes: Self.hex("""
            0008 0001 00000011 ffff
            0001 67 00000003 0001 6d
            00000001 0001 74 00000001 00000000 0000000000000005 0000018bcfe56800 0002 6d64
            """))
        let (_, request) = try KafkaRequest.decode(frame: &frame)
        #expect(request == .offsetCommit(OffsetCommitRequest(
            groupId: "g", generationId: 3, memberId: "m",
            topics: [.init(name: "t", partitions: [
                .init(partitionIndex: 0, committedOffset: 5, commitTimestamp: 1_700_000_000_000, committedMetadata: "md"),
            ])])))
    }

    /// ListOffsets v0 from the spec: max_num_offsets in the request, an offset array back.
    @Test func listOffsetsV0() throws {
        var frame = ByteBuffer(bytes: Self.hex("""
            0002 0000 00000012 ffff
            ffffffff 00000001 0001 74 00000001 00000000 ffffffffffffffff 00000002
            """))
        let (_, request) = try KafkaRequest.decode(frame: &frame)
        #expect(request == .listOffsets(ListOffsetsRequest(
            topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: -1, maxNumOffsets: 2)])])))
        let response = ListOffsetsResponse(topics: [.init(name: "t", partitions: [
            .init(partitionIndex: 0, offset: -1, oldStyleOffsets: [7, 0]),
        ])])
        var encoded = ByteBuffer()
        try response.encode(into: &encoded, version: 0)
        #expect(Array(encoded.readableBytesView) == Self.hex(
            "00000001 0001 74 00000001 00000000 0000 00000002 0000000000000007 0000000000000000"))
    }

    @Test func unknownKeysAndTrailingBytesAreTypedErrors() {
        var unknown = ByteBuffer(bytes: Self.hex("03e7 0000 0000000b ffff"))
        #expect(throws: KafkaProtocolError.unknownApiKey(999, correlationId: 11)) { try KafkaRequest.decode(frame: &unknown) }
        var tooOld = ByteBuffer(bytes: Self.hex("0001 ffff 0000000c ffff"))
        #expect(throws: KafkaProtocolError.unsupportedVersion(apiKey: .fetch, version: -1, correlationId: 12)) {
            try KafkaRequest.decode(frame: &tooOld)
        }
        var tooNew = ByteBuffer(bytes: Self.hex("0000 0009 0000000e ffff 00"))
        #expect(throws: KafkaProtocolError.unsupportedVersion(apiKey: .produce, version: 9, correlationId: 14)) {
            try KafkaRequest.decode(frame: &tooNew)
        }
        var trailing = ByteBuffer(bytes: Self.hex("000c 0000 0000000d ffff 0001 67 00000001 0001 6d 99"))
        #expect(throws: KafkaProtocolError.trailingBytes(1)) { try KafkaRequest.decode(frame: &trailing) }
    }

    @Test func supportedApiKeysTableMatchesApiKey() {
        let table = ApiVersionsResponse.supportedApiKeys
        #expect(table.count == ApiKey.allCases.count)
        #expect(table.contains(.init(apiKey: 18, minVersion: 0, maxVersion: 4)))
        // Every minimum is Kafka 3.9's.
        #expect(table.contains(.init(apiKey: 0, minVersion: 0, maxVersion: 8)))
        #expect(table.contains(.init(apiKey: 1, minVersion: 0, maxVersion: 11)))
        #expect(table.allSatisfy { $0.minVersion == 0 })
    }
}
