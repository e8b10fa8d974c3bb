import Basalt
import BasaltBroker
import BasaltKafka
import Foundation
import Glibc
import NIOCore
import Testing

/// The broker's own state files (`broker/cluster-id`, `broker/producer-ids`) damaged on
/// disk stop the broker with an error that names the file; background retention that
/// fails on a partition is counted in `/metrics`.
@Suite(.serialized) struct BrokerStateFileTests {
    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "basalt-broker-state-" + UUID().uuidString
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        _ = unlink(path)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
    }

    /// Kinds of damage a small text file can have.
    static let damage: [(String, [UInt8])] = [
        ("not a number", Array("garbage".utf8)), ("empty", []), ("not UTF-8", [0xff, 0xfe, 0x31]),
        ("negative", Array("-5".utf8)), ("at the overflow edge", Array(String(Int64.max).utf8)),
        ("10 MB", [UInt8](repeating: UInt8(ascii: "1"), count: 10 << 20)),
    ]

    static func initProducerId(_ broker: TestBroker) async throws -> Int64 {
        let response = try await broker.connect().roundTrip(.initProducerId(InitProducerIdRequest(transactionTimeoutMs: 60_000)), version: 1)
        guard case .initProducerId(let body) = response, body.errorCode == .noError else {
            Issue.record("InitProducerId failed: \(response)")
            return -1
        }
        return body.producerId
    }

    /// Produces one record as the first batch (sequence 0, epoch 0) of `producerId` and
    /// returns the offset the broker answers with.
    static func produceFirstBatch(_ broker: TestBroker, _ value: String, producerId: Int64) async throws -> Int64 {
        let batch = try RecordBatchEncoder.encode(
            [Record(value: Array(value.utf8))], compression: .none,
            producer: .init(producerId: producerId, producerEpoch: 0, baseSequence: 0), timestamp: 1_700_000_000_000)
        let response = try await broker.connect().roundTrip(BadInputTests.produce("events", batch, acks: -1), version: 7)
        guard case .produce(let body) = response, let partition = body.responses.first?.partitionResponses.first,
              partition.errorCode == .noError else {
            Issue.record("produce failed: \(response)")
            return -1
        }
        return partition.baseOffset
    }

    /// The silent-loss case: producer A's first batch (sequence 0) is in the log, the
    /// `producer-ids` file is damaged, and a restarted broker hands A's id to producer B.
    /// B's first batch, also sequence 0 with one record, then matches A's and is
    /// answered "success" with A's offset: never stored. The broker must refuse to start
    /// instead, and once the operator removes or restores the file, start above every id
    /// in the logs.
    @Test func damagedProducerIdsFileNeverLeadsToAReusedId() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await TestBroker.start { $0.dataDirectory = directory }
        var handedOut = [try await Self.initProducerId(first)]
        #expect(try await Self.produceFirstBatch(first, "producer A", producerId: handedOut[0]) == 0)
        try await first.server.shutdown()

        let file = directory + "/broker/producer-ids"
        for (kind, bytes) in Self.damage {
            Self.write(file, bytes)
            do {
                let broker = try await TestBroker.start { $0.dataDirectory = directory }
                Issue.record("the broker started with a producer-ids file that is \(kind)")
                try await broker.server.shutdown()
            } catch let error as BrokerStateFileError {
                #expect(error.path == file, "\(kind)")
                #expect(error.description.contains(file), "\(kind)")
            }
        }

        // What an operator may do: remove the file, or restore a copy older than the
        // ids in the logs. Either way no id that is in the log is handed out again.
        var logEnd: Int64 = 1
        for restored in [nil, "0\n"] {
            _ = unlink(file)
            if let restored { Self.write(file, Array(restored.utf8)) }
            let broker = try await TestBroker.start { $0.dataDirectory = directory }
            let id = try await Self.initProducerId(broker)
            #expect(handedOut.allSatisfy { $0 < id }, "restored \(restored ?? "nothing"): got \(id) after \(handedOut)")
            handedOut.append(id)
            #expect(try await Self.produceFirstBatch(broker, "producer B", producerId: id) == logEnd,
                    "the new producer's first batch was answered as a duplicate")
            logEnd += 1
            try await broker.server.shutdown()
        }
    }

    @Test func damagedClusterIdStopsTheBroker() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await TestBroker.start { $0.dataDirectory = directory }
        let clusterId = first.server.broker.clusterId
        try await first.server.shutdown()

        let file = directory + "/broker/cluster-id"
        for (kind, bytes) in Self.damage.filter({ $0.0 != "negative" && $0.0 != "at the overflow edge" && $0.0 != "not a number" })
            + [("not base64", Array("a/b+c".utf8)), ("too long", [UInt8](repeating: UInt8(ascii: "A"), count: 65))] {
            Self.write(file, bytes)
            do {
                let broker = try await TestBroker.start { $0.dataDirectory = directory }
                Issue.record("the broker started with a cluster-id file that is \(kind)")
                try await broker.server.shutdown()
            } catch let error as BrokerStateFileError {
                #expect(error.path == file, "\(kind)")
            }
        }
        // Restored by hand, with a newline: accepted as it was.
        Self.write(file, Array(" \(clusterId)\n".utf8))
        let broker = try await TestBroker.start { $0.dataDirectory = directory }
        #expect(broker.server.broker.clusterId == clusterId)
        try await broker.server.shutdown()
    }

    /// Retention that fails on one partition is logged and counted per partition, and the
    /// other partitions are still cleaned.
    @Test func retentionFailureIsCountedAndDoesNotStopOtherPartitions() async throws {
        let broker = try await TestBroker.start { $0.retentionCheckIntervalMs = 3_600_000 }
        let store = broker.server.broker.store
        var config = LogConfig()
        config.segmentBytes = 1024
        config.retentionBytes = 0
        for name in ["a", "b"] {
            let topic = try store.createTopic(name, config: config)
            for index in 0..<40 {
                try await topic.append([Record(value: Array("record \(index) ".utf8) + [UInt8](repeating: 1, count: 60))], partition: 0)
            }
        }
        // A directory where `a-0`'s checkpoint is written first: replacing it fails.
        let blocker = broker.directory + "/a-0/partition.checkpoint.tmp"
        #expect(mkdir(blocker, 0o755) == 0)
        #expect(throws: BasaltError.self) { try store.enforceRetention() }
        #expect(throws: BasaltError.self) { try store.enforceRetention() }
        #expect(try store.topic("b").partition(0).segmentCount == 1)
        #expect(try store.topic("a").partition(0).segmentCount > 1)
        let metrics = await broker.server.broker.renderMetrics()
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("basalt_retention_errors_total{") && $0.contains("topic=\"a\"") }
        #expect(line.map(String.init)?.hasSuffix(" 2") == true, "\(line.map(String.init) ?? "no basalt_retention_errors_total for a")")
        #expect(line?.contains("partition=\"0\"") == true)
        #expect(!metrics.contains("basalt_retention_errors_total{topic=\"b\""))
        #expect(rmdir(blocker) == 0)
        try await broker.stop()
    }
}
