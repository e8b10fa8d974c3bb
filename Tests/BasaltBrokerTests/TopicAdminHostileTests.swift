import Basalt
import BasaltKafka
import NIOCore
import Testing
@testable import BasaltBroker

/// Hostile CreatePartitions, DeleteRecords, AlterConfigs, IncrementalAlterConfigs and
/// DescribeLogDirs requests: each gets an error code or a closed connection, and the
/// broker keeps serving.
@Suite(.serialized) struct TopicAdminHostileTests {
    static func createTopic(_ connection: TestConnection, _ name: String, partitions: Int32) async throws {
        let response = try await connection.roundTrip(
            .createTopics(CreateTopicsRequest(topics: [.init(name: name, numPartitions: partitions)], timeoutMs: 1000)), version: 4)
        guard case .createTopics(let body) = response else { Issue.record("not a CreateTopics response"); return }
        #expect(body.topics.first?.errorCode == .noError)
    }

    static func growthCodes(_ connection: TestConnection, _ topics: [CreatePartitionsRequest.Topic], version: Int16 = 1) async throws -> [KafkaErrorCode] {
        let response = try await connection.roundTrip(
            .createPartitions(CreatePartitionsRequest(topics: topics, timeoutMs: 1000)), version: version)
        guard case .createPartitions(let body) = response else { Issue.record("not a CreatePartitions response"); return [] }
        return body.results.map(\.errorCode)
    }

    @Test func partitionCountsOutOfRangeAreInvalidPartitions() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        try await Self.createTopic(connection, "grow", partitions: 2)
        for count: Int32 in [-1, 0, Int32.min, 1, 2, 10_001, Int32.max] {
            #expect(try await Self.growthCodes(connection, [.init(name: "grow", count: count)]) == [.invalidPartitions], "count \(count)")
        }
        // A manual assignment on one node: only [this broker] per new partition.
        #expect(try await Self.growthCodes(connection, [.init(name: "grow", count: 3, assignments: [.init(brokerIds: [5])])])
                == [.invalidReplicaAssignment])
        #expect(try await Self.growthCodes(connection, [.init(name: "grow", count: 4, assignments: [.init(brokerIds: [0])])])
                == [.invalidReplicaAssignment])
        #expect(try await Self.growthCodes(connection, [.init(name: "grow", count: 3, assignments: [.init(brokerIds: [0])])], version: 3)
                == [.noError])
        // The same topic twice, an unknown one, a 32767-byte name.
        #expect(try await Self.growthCodes(connection, [.init(name: "grow", count: 9), .init(name: "grow", count: 10)])
                == [.invalidRequest, .invalidRequest])
        let long = String(repeating: "n", count: Int(Int16.max))
        #expect(try await Self.growthCodes(connection, [.init(name: long, count: 3)]) == [.unknownTopicOrPartition])
        #expect(try broker.server.broker.store.topic("grow").partitionCount == 3)
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    /// A CreatePartitions v2 (flexible) whose topic array claims two billion entries, and
    /// one whose name is invalid UTF-8: the decoder refuses both, the connection closes.
    @Test func forgedCountsAndInvalidUTF8CloseTheConnection() async throws {
        let broker = try await TestBroker.start()
        for body: [UInt8] in [
            [0xFF, 0xFF, 0xFF, 0xFF, 0x07],                                                    // compact array of 2^31 − 2
            [0x02, 0x03, 0x61, 0xFF] + HostileRequestTests.int32(3) + [0x00, 0x00] + HostileRequestTests.int32(0) + [0x00, 0x00],
        ] {
            let connection = try broker.connect()
            // Header v2: api key, version, correlation id, client id (int16 length), tags.
            var frame = HostileRequestTests.int16(ApiKey.createPartitions.rawValue) + HostileRequestTests.int16(2)
            frame += HostileRequestTests.int32(1) + HostileRequestTests.int16(-1) + [0x00] + body
            connection.send(HostileRequestTests.int32(Int32(frame.count)) + frame)
            #expect(try await connection.closedByPeer())
        }
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    @Test func deleteRecordsOffsetsOutOfRange() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        try await Self.createTopic(connection, "trim", partitions: 1)
        let log = try broker.server.broker.store.topic("trim").partition(0)
        for index in 0..<5 { try await log.append([Record(key: nil, value: Array("\(index)".utf8))]) }
        let partitions: [DeleteRecordsRequest.Partition] = [
            .init(partitionIndex: 0, offset: Int64.max), .init(partitionIndex: 0, offset: -2),
            .init(partitionIndex: 0, offset: Int64.min), .init(partitionIndex: 0, offset: 6),
            .init(partitionIndex: -1, offset: 0), .init(partitionIndex: Int32.max, offset: 0),
            .init(partitionIndex: 0, offset: 3), .init(partitionIndex: 0, offset: -1),
        ]
        let response = try await connection.roundTrip(
            .deleteRecords(DeleteRecordsRequest(topics: [.init(name: "trim", partitions: partitions),
                                                         .init(name: "none", partitions: [.init(partitionIndex: 0, offset: 0)])],
                                                timeoutMs: 1000)), version: 2)
        guard case .deleteRecords(let body) = response else { Issue.record("not a DeleteRecords response"); return }
        #expect(body.topics[0].partitions.map(\.errorCode) == [
            .offsetOutOfRange, .offsetOutOfRange, .offsetOutOfRange, .offsetOutOfRange,
            .unknownTopicOrPartition, .unknownTopicOrPartition, .noError, .noError,
        ])
        #expect(body.topics[0].partitions.map(\.lowWatermark).suffix(2) == [3, 5])
        #expect(body.topics[1].partitions.map(\.errorCode) == [.unknownTopicOrPartition])
        #expect(log.logStartOffset == 5)
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    @Test func hostileConfigsAreInvalidConfigOrRequest() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        try await Self.createTopic(connection, "conf", partitions: 1)
        let before = try broker.server.broker.store.topic("conf").config
        let huge = String(repeating: "9", count: 30_000)
        let cases: [(IncrementalAlterConfigsRequest.Config, KafkaErrorCode)] = [
            (.init(name: "retention.ms", operation: 0, value: huge), .invalidConfig),
            (.init(name: "segment.bytes", operation: 0, value: "-5"), .invalidConfig),
            (.init(name: "segment.bytes", operation: 0, value: String(Int64.max)), .invalidConfig),
            // Accepted once, it trapped the next produce (the decompression limit is 256 × it).
            (.init(name: "max.message.bytes", operation: 0, value: "9223372036854775807"), .invalidConfig),
            (.init(name: "segment.index.bytes", operation: 0, value: "9223372036854775807"), .invalidConfig),
            (.init(name: "index.interval.bytes", operation: 0, value: "9223372036854775807"), .invalidConfig),
            (.init(name: "flush.ms", operation: 0, value: "0"), .invalidConfig),
            (.init(name: "retention.ms", operation: 0, value: nil), .invalidRequest),
            (.init(name: "retention.ms", operation: 2, value: "1"), .invalidConfig),
            (.init(name: "retention.ms", operation: 3, value: "1"), .invalidConfig),
            (.init(name: "retention.ms", operation: 9, value: "1"), .invalidRequest),
            (.init(name: "retention.ms", operation: -128, value: "1"), .invalidRequest),
            (.init(name: String(repeating: "x", count: 30_000), operation: 0, value: "1"), .invalidConfig),
            (.init(name: "cleanup.policy", operation: 3, value: "delete"), .invalidConfig),
        ]
        for (config, code) in cases {
            let response = try await connection.roundTrip(.incrementalAlterConfigs(IncrementalAlterConfigsRequest(resources: [
                .init(resourceType: 2, resourceName: "conf", configs: [config]),
            ])), version: 1)
            guard case .incrementalAlterConfigs(let body) = response else { Issue.record("not a response"); return }
            #expect(body.responses.map(\.errorCode) == [code], "\(config.name.prefix(20)) op \(config.operation)")
            #expect((body.responses.first?.errorMessage?.utf8.count ?? 0) <= Broker.maxErrorMessageBytes)
        }
        for type: Int8 in [-1, 0, 3, 127] {
            let response = try await connection.roundTrip(.alterConfigs(AlterConfigsRequest(resources: [
                .init(resourceType: type, resourceName: "conf", configs: []),
            ])), version: 0)
            guard case .alterConfigs(let body) = response else { Issue.record("not a response"); return }
            #expect(body.responses.map(\.errorCode) == [.invalidRequest], "type \(type)")
        }
        // A broker resource naming another broker.
        let other = try await connection.roundTrip(.incrementalAlterConfigs(IncrementalAlterConfigsRequest(resources: [
            .init(resourceType: 4, resourceName: "7", configs: [.init(name: "log.retention.ms", operation: 0, value: "1")]),
        ])), version: 1)
        guard case .incrementalAlterConfigs(let otherBody) = other else { Issue.record("not a response"); return }
        #expect(otherBody.responses.map(\.errorCode) == [.invalidRequest])
        #expect(try broker.server.broker.store.topic("conf").config == before)
        try await BadInputTests.stillServes(broker)
        try await broker.stop()
    }

    @Test func describeLogDirsOfUnknownTopicsAndPartitions() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        try await Self.createTopic(connection, "dirs", partitions: 2)
        let response = try await connection.roundTrip(.describeLogDirs(DescribeLogDirsRequest(topics: [
            .init(topic: "dirs", partitions: [1, -1, Int32.max]), .init(topic: "missing", partitions: [0]),
        ])), version: 4)
        guard case .describeLogDirs(let body) = response else { Issue.record("not a response"); return }
        #expect(body.results.count == 1)
        #expect(body.results[0].topics.map(\.name) == ["dirs"])
        #expect(body.results[0].topics[0].partitions.map(\.partitionIndex) == [1])
        #expect(body.results[0].totalBytes > 0 && body.results[0].usableBytes >= 0)
        try await broker.stop()
    }
}
