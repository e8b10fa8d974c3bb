import Basalt
import BasaltBroker
import BasaltKafka
import NIOCore
import Testing

/// Malformed and hostile input over real sockets: each gets the right Kafka error code or
/// a closed connection, and the broker keeps serving other connections.
@Suite(.serialized) struct BadInputTests {
    static func batch(records: Int = 3, value: Int = 10) throws -> [UInt8] {
        let rows = (0..<records).map { Record(key: Array("k\($0)".utf8), value: [UInt8](repeating: 7, count: value)) }
        return try RecordBatchEncoder.encode(rows, compression: .none, producer: .none, timestamp: 1_700_000_000_000)
    }

    static func produce(_ topic: String, _ bytes: [UInt8], partition: Int32 = 0, acks: Int16 = 1) -> KafkaRequest {
        .produce(ProduceRequest(acks: acks, timeoutMs: 5000, topicData: [
            .init(name: topic, partitionData: [.init(index: partition, records: ByteBuffer(bytes: bytes))]),
        ]))
    }

    static func produceError(_ response: KafkaResponse) -> KafkaErrorCode? {
        guard case .produce(let body) = response else { return nil }
        return body.responses.first?.partitionResponses.first?.errorCode
    }

    /// The broker still answers Metadata on a fresh connection.
    static func stillServes(_ broker: TestBroker) async throws {
        let connection = try broker.connect()
        let response = try await connection.roundTrip(.metadata(MetadataRequest(topics: nil)), version: 1)
        guard case .metadata(let body) = response else { Issue.record("not metadata"); return }
        #expect(body.brokers.count == 1)
    }

    @Test func negativeHugeAndTinySizesCloseOnlyThatConnection() async throws {
        let broker = try await TestBroker.start { $0.maxRequestBytes = 1 << 20 }
        for prefix: [UInt8] in [[0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF], [0x00, 0x20, 0x00, 0x00], [0, 0, 0, 3]] {
            let connection = try broker.connect()
            connection.send(prefix + [0, 0, 0, 0])
            #expect(try await connection.closedByPeer(), "size prefix \(prefix)")
        }
        try await Self.stillServes(broker)
        try await broker.stop()
    }

    @Test func unknownApiKeyAndUnsupportedVersionClose() async throws {
        let broker = try await TestBroker.start()
        for header: [UInt8] in [[0x00, 0x63, 0, 0], [0x00, 0x00, 0x00, 0x63], [0x00, 0x01, 0x00, 0x00]] {
            let connection = try broker.connect()
            // api key, version, correlation id 7, null client id
            let body = header + [0, 0, 0, 7, 0xFF, 0xFF]
            connection.send([0, 0, 0, UInt8(body.count)] + body)
            #expect(try await connection.closedByPeer(), "header \(header)")
        }
        try await Self.stillServes(broker)
        try await broker.stop()
    }

    @Test func unsupportedApiVersionsVersionGetsV0Error() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        let body: [UInt8] = [0, 18, 0, 9, 0, 0, 0, 42, 0xFF, 0xFF, 0]  // flexible header: empty tags
        connection.send([0, 0, 0, UInt8(body.count)] + body)
        let size = try #require(try await connection.read(4))
        #expect(size == [0, 0, 0, 16])
        let reply = try #require(try await connection.read(16))
        // correlation 42, error 35, one entry: key 18, versions 0...4, throttle 0
        #expect(reply == [0, 0, 0, 42, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 4])
        try await broker.stop()
    }

    @Test func truncatedRequestCloses() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        // Metadata v1 whose topic array claims 5 entries and ends.
        let body: [UInt8] = [0, 3, 0, 1, 0, 0, 0, 1, 0xFF, 0xFF, 0, 0, 0, 5]
        connection.send([0, 0, 0, UInt8(body.count)] + body)
        #expect(try await connection.closedByPeer())
        try await Self.stillServes(broker)
        try await broker.stop()
    }

    @Test func badCrcIsCorruptMessage() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        var bytes = try Self.batch()
        bytes[bytes.count - 1] ^= 0xFF
        let response = try await connection.roundTrip(Self.produce("crc", bytes), version: 7)
        #expect(Self.produceError(response) == .corruptMessage)
        // The same connection goes on working.
        let good = try await connection.roundTrip(Self.produce("crc", try Self.batch()), version: 7)
        #expect(Self.produceError(good) == .noError)
        try await broker.stop()
    }

    @Test func oversizedBatchIsMessageTooLarge() async throws {
        let broker = try await TestBroker.start { $0.defaultTopicConfig.maxMessageBytes = 4096 }
        let connection = try broker.connect()
        let response = try await connection.roundTrip(Self.produce("big", try Self.batch(records: 2, value: 5000)), version: 8)
        #expect(Self.produceError(response) == .messageTooLarge)
        try await broker.stop()
    }

    @Test func twoBatchesAndTruncatedBatchAreRejected() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        let one = try Self.batch()
        #expect(Self.produceError(try await connection.roundTrip(Self.produce("two", one + one), version: 7)) == .invalidRecord)
        #expect(Self.produceError(try await connection.roundTrip(Self.produce("two", Array(one.dropLast(3))), version: 7)) == .corruptMessage)
        #expect(Self.produceError(try await connection.roundTrip(Self.produce("two", Array(one.prefix(20))), version: 7)) == .corruptMessage)
        try await broker.stop()
    }

    @Test func invalidAndUnknownTopics() async throws {
        let broker = try await TestBroker.start { $0.autoCreateTopics = false }
        let connection = try broker.connect()
        #expect(Self.produceError(try await connection.roundTrip(Self.produce("bad/name", try Self.batch()), version: 7)) == .invalidTopic)
        #expect(Self.produceError(try await connection.roundTrip(Self.produce("absent", try Self.batch()), version: 7)) == .unknownTopicOrPartition)
        let metadata = try await connection.roundTrip(.metadata(MetadataRequest(topics: ["absent", "bad name"], allowAutoTopicCreation: true)), version: 8)
        guard case .metadata(let body) = metadata else { Issue.record("not metadata"); return }
        #expect(body.topics.map(\.errorCode) == [.unknownTopicOrPartition, .invalidTopic])
        let fetch = try await connection.roundTrip(.fetch(FetchRequest(maxWaitMs: 0, minBytes: 1, topics: [
            .init(topic: "absent", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1024)]),
        ])), version: 11)
        guard case .fetch(let fetched) = fetch else { Issue.record("not fetch"); return }
        #expect(fetched.responses.first?.partitions.first?.errorCode == .unknownTopicOrPartition)
        try await broker.stop()
    }

    @Test func acksZeroGetsNoResponseAndInvalidAcksIsRejected() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        var buffer = ByteBuffer()
        Self.produce("quiet", try Self.batch(), acks: 0).encodeFrame(
            header: RequestHeader(apiKey: .produce, apiVersion: 7, correlationId: 100, clientId: nil), into: &buffer)
        connection.send(Array(buffer.readableBytesView))
        // The next response on the connection is the Metadata one: acks=0 produced none.
        let metadata = try await connection.roundTrip(.metadata(MetadataRequest(topics: ["quiet"])), version: 1)
        guard case .metadata(let body) = metadata else { Issue.record("not metadata"); return }
        #expect(body.topics.first?.errorCode == .noError)
        let invalid = try await connection.roundTrip(Self.produce("quiet", try Self.batch(), acks: 2), version: 7)
        #expect(Self.produceError(invalid) == .invalidRequiredAcks)
        try await broker.stop()
    }

    @Test func connectionCapRefusesExtraConnections() async throws {
        let broker = try await TestBroker.start { $0.maxConnections = 2 }
        let first = try broker.connect()
        let second = try broker.connect()
        _ = try await first.roundTrip(.apiVersions(ApiVersionsRequest()), version: 0)
        _ = try await second.roundTrip(.apiVersions(ApiVersionsRequest()), version: 0)
        let third = try broker.connect()
        #expect(try await third.closedByPeer())
        _ = try await first.roundTrip(.apiVersions(ApiVersionsRequest()), version: 3)
        try await broker.stop()
    }
}
