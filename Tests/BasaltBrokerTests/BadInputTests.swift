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

    /// `batch` with its records section replaced by `section`, length and CRC made right.
    static func withSection(_ batch: [UInt8], _ section: [UInt8]) -> [UInt8] {
        var bytes = Array(batch.prefix(RecordBatchHeader.size)) + section
        withUnsafeBytes(of: Int32(bytes.count - 12).bigEndian) { bytes.replaceSubrange(8..<12, with: $0) }
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
        withUnsafeBytes(of: crc.bigEndian) { bytes.replaceSubrange(17..<21, with: $0) }
        return bytes
    }

    /// Every codec is accepted; compressed records that do not decode behind a valid CRC
    /// are CORRUPT_MESSAGE, and so is a small batch that decompresses past the broker's
    /// limit (max(256 × max.message.bytes, 64 MiB)); only an invalid codec number is
    /// UNSUPPORTED_COMPRESSION_TYPE.
    @Test func compressedBatchesAreDecodedOnProduce() async throws {
        let broker = try await TestBroker.start { $0.defaultTopicConfig.maxMessageBytes = 4096 }
        let connection = try broker.connect()
        let rows = (0..<20).map { Record(key: Array("k\($0)".utf8), value: Array("value \($0) value \($0)".utf8)) }
        for codec in CompressionCodec.allCases where codec != .none {
            let good = try RecordBatchEncoder.encode(rows, compression: codec, timestamp: 1_700_000_000_000)
            #expect(Self.produceError(try await connection.roundTrip(Self.produce("codecs", good), version: 7)) == .noError)
            var damaged = Array(good[RecordBatchHeader.size...])
            damaged[damaged.count / 2] ^= 0xFF
            damaged.removeLast()
            let response = try await connection.roundTrip(Self.produce("codecs", Self.withSection(good, damaged)), version: 7)
            #expect(Self.produceError(response) == .corruptMessage, "\(codec)")
        }
        // 65 MiB of zeros in about 2 KiB of zstd frame: within max.message.bytes, over the limit.
        let bomb = try [UInt8](repeating: 0, count: 65 << 20).withUnsafeBytes { try ZstdStream.compress($0) }
        #expect(bomb.count < 4096 - RecordBatchHeader.size)
        let zstd = try RecordBatchEncoder.encode(rows, compression: .zstd, timestamp: 1_700_000_000_000)
        let bombed = try await connection.roundTrip(Self.produce("codecs", Self.withSection(zstd, bomb)), version: 7)
        #expect(Self.produceError(bombed) == .corruptMessage)
        var invalid = try Self.batch()
        invalid[22] = 5
        let resealed = Self.withSection(invalid, Array(invalid[RecordBatchHeader.size...]))
        #expect(Self.produceError(try await connection.roundTrip(Self.produce("codecs", resealed), version: 7)) == .unsupportedCompressionType)
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
        try Self.produce("quiet", try Self.batch(), acks: 0).encodeFrame(
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

    /// Produce v0–2 take a v2 batch as Kafka does (the magic decides the format, not the
    /// version); Produce v3+ refuses a magic 0/1 message set with INVALID_RECORD, and
    /// Produce v3–6 a zstd batch with UNSUPPORTED_COMPRESSION_TYPE.
    @Test func produceVersionAndMagicMustAgree() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        var next: Int64 = 0
        for version: Int16 in [0, 1, 2] {
            let response = try await connection.roundTrip(Self.produce("old-format", try Self.batch()), version: version)
            guard case .produce(let body) = response else { Issue.record("not a produce response"); return }
            #expect(body.responses.first?.partitionResponses.first?.errorCode == .noError, "v\(version)")
            #expect(body.responses.first?.partitionResponses.first?.baseOffset == next, "v\(version)")
            next += 3
        }
        var message: [UInt8] = []
        LegacyMessageSet.appendMessage(to: &message, offset: 0, magic: 1, timestamp: 1, key: nil, value: [1, 2, 3][...])
        let refused = try await connection.roundTrip(
            Self.produce("old-format", message), version: 7)
        #expect(Self.produceError(refused) == .invalidRecord)
        // zstd needs Produce v7 (KIP-110).
        let zstd = try RecordBatchEncoder.encode([Record(value: [1, 2, 3])], compression: .zstd, timestamp: 1)
        for version: Int16 in [3, 6] {
            let early = try await connection.roundTrip(Self.produce("old-format", zstd), version: version)
            #expect(Self.produceError(early) == .unsupportedCompressionType, "v\(version)")
        }
        let allowed = try await connection.roundTrip(Self.produce("old-format", zstd), version: 7)
        #expect(Self.produceError(allowed) == .noError)
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
