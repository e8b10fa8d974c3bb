import Basalt
import BasaltKafka
import NIOCore
import Testing
@testable import BasaltBroker

/// Requests that once stopped the broker with a runtime trap, one test each. The broker
/// runs in this test process, so a trap fails the whole run, not only the test.
@Suite(.serialized) struct HostileRequestTests {
    /// A raw request frame: size prefix, header v1 (api key, version, correlation id,
    /// client id), then `body`.
    static func frame(api: ApiKey, version: Int16, correlationId: Int32 = 9, clientId: [UInt8]?, body: [UInt8]) -> [UInt8] {
        var header: [UInt8] = []
        withUnsafeBytes(of: api.rawValue.bigEndian) { header += $0 }
        withUnsafeBytes(of: version.bigEndian) { header += $0 }
        withUnsafeBytes(of: correlationId.bigEndian) { header += $0 }
        if let clientId {
            withUnsafeBytes(of: Int16(clientId.count).bigEndian) { header += $0 }
            header += clientId
        } else {
            header += [0xFF, 0xFF]
        }
        let payload = header + body
        var size: [UInt8] = []
        withUnsafeBytes(of: Int32(payload.count).bigEndian) { size += $0 }
        return size + payload
    }

    static func int16(_ value: Int16) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// The member id is `<client id>-<UUID>`; with a 32767-byte client id it no longer fit
    /// the int16 length of the JoinGroup response, and encoding it trapped. Now the client
    /// id part is cut to 255 bytes and the join works.
    @Test func joinGroupWith32767ByteClientIdGetsABoundedMemberId() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        let clientId = String(repeating: "c", count: Int(Int16.max))
        let join = JoinGroupRequest(groupId: "hostile-join", sessionTimeoutMs: 10_000, protocols: [
            .init(name: "range", metadata: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 0])),
        ])
        let response = try await connection.roundTrip(.joinGroup(join), version: 5, clientId: clientId)
        guard case .joinGroup(let body) = response else { Issue.record("not a JoinGroup response"); return }
        #expect(body.errorCode == .memberIdRequired)
        #expect(body.memberId.utf8.count == GroupCoordinator.maxMemberIdPrefixBytes + 1 + 36)
        #expect(body.memberId.hasPrefix(String(repeating: "c", count: GroupCoordinator.maxMemberIdPrefixBytes) + "-"))
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    /// The prefix is cut on a character boundary: a multi-byte character that would cross
    /// the limit is left out whole.
    @Test func memberIdPrefixCutsOnCharacterBoundaries() {
        let clientId = String(repeating: "a", count: 254) + "é" + "tail"
        #expect(GroupCoordinator.memberIdPrefix(clientId: clientId) == String(repeating: "a", count: 254))
        #expect(GroupCoordinator.memberIdPrefix(clientId: "") == "member")
        #expect(GroupCoordinator.memberIdPrefix(clientId: "rdkafka") == "rdkafka")
    }

    /// A topic name of 11,000 bytes of 0xFF: decoded with U+FFFD replacement it came back
    /// three times longer, and echoing it in the Produce response trapped. Invalid UTF-8 is
    /// now refused by the decoder, which closes only this connection.
    @Test func produceWithTopicNameOf11000InvalidUTF8BytesClosesTheConnection() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        let batch = try BadInputTests.batch()
        // Produce v3: transactional_id (null), acks, timeout, [topic_data].
        var body = Self.int16(-1) + Self.int16(1) + Self.int32(5000) + Self.int32(1)
        body += Self.int16(11_000) + [UInt8](repeating: 0xFF, count: 11_000)
        body += Self.int32(1) + Self.int32(0) + Self.int32(Int32(batch.count)) + batch
        connection.send(Self.frame(api: .produce, version: 3, clientId: Array("hostile".utf8), body: body))
        #expect(try await connection.closedByPeer())
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    /// A client id of invalid UTF-8 closes the connection the same way.
    @Test func invalidUTF8ClientIdClosesTheConnection() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        connection.send(Self.frame(api: .metadata, version: 1, clientId: [0x61, 0xED, 0xA0, 0x80], body: Self.int32(-1)))
        #expect(try await connection.closedByPeer())
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    /// A batch whose last offset delta is Int32.max: the producer table added one to it
    /// and trapped on the overflow. Now the header is validated first.
    @Test func produceWithLastOffsetDeltaInt32MaxIsCorruptMessage() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        let rows = [Record(key: Array("k".utf8), value: Array("v".utf8))]
        var batch = try RecordBatchEncoder.encode(
            rows, compression: .none, producer: RecordBatchEncoder.ProducerFields(producerId: 7, producerEpoch: 0, baseSequence: 0), timestamp: 1_700_000_000_000)
        batch.replaceSubrange(23..<27, with: Self.int32(Int32.max))
        let response = try await connection.roundTrip(BadInputTests.produce("delta", batch), version: 7)
        #expect(BadInputTests.produceError(response) == .corruptMessage)
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    /// An encoder error (here, a response string the int16 length cannot carry) closes the
    /// connection instead of trapping, and is counted as a rejected request.
    @Test func unencodableResponseClosesTheConnection() async throws {
        let broker = try await TestBroker.start()
        let header = RequestHeader(apiKey: .findCoordinator, apiVersion: 1, correlationId: 1, clientId: nil)
        let tooLong = String(repeating: "h", count: Int(Int16.max) + 1)
        let outcome = broker.server.broker.respond(.findCoordinator(FindCoordinatorResponse(nodeId: 1, host: tooLong, port: 9092)), to: header)
        guard case .close(let reason) = outcome else { Issue.record("expected a close, got \(outcome)"); return }
        #expect(reason.contains("not encodable"))
        try await broker.stop()
    }

    /// CreateTopics with a 32767-byte name: the error message quoted the whole name, which
    /// then did not fit the message's own length. Messages are cut to 1 KiB, and the
    /// client gets INVALID_TOPIC_EXCEPTION.
    @Test func createTopicWith32767ByteNameIsInvalidTopic() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        let name = String(repeating: "n", count: Int(Int16.max))
        let response = try await connection.roundTrip(
            .createTopics(CreateTopicsRequest(topics: [.init(name: name, numPartitions: 1)], timeoutMs: 1000)), version: 4)
        guard case .createTopics(let body) = response else { Issue.record("not a CreateTopics response"); return }
        #expect(body.topics.first?.errorCode == .invalidTopic)
        #expect((body.topics.first?.errorMessage?.utf8.count ?? 0) <= Broker.maxErrorMessageBytes)
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }
}
