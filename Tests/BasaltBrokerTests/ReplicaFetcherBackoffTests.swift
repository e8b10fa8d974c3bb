import Basalt
import BasaltEtcd
import BasaltKafka
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import BasaltBroker

/// A follower whose log keeps refusing the leader's batches for one partition backs that
/// partition off instead of looping Fetch + OffsetForLeaderEpoch at full speed, and goes on
/// copying the leader's other partitions.
@Suite struct ReplicaFetcherBackoffTests {
    static let topic = "t"
    static let refusedPartition: Int32 = 0
    static let healthyPartition: Int32 = 1
    static let epoch: Int32 = 3

    /// What the fake leader has been asked.
    struct Counts {
        var refusedFetches = 0
        var healthyFetches = 0
        var epochRequests = 0
    }

    /// A leader that answers every Fetch of the refused partition with a batch overlapping the
    /// follower's end (which its log must refuse), every Fetch of the healthy partition with one
    /// record at the offset asked, and every OffsetForLeaderEpoch with the follower's own end.
    final class FakeLeader: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let counts = Mutex(Counts())
        let refusedLog: PartitionLog
        let fetched: WakeSignal

        init(refusedLog: PartitionLog, fetched: WakeSignal) {
            self.refusedLog = refusedLog
            self.fetched = fetched
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var frame = unwrapInboundIn(data)
            do {
                let (header, request) = try KafkaRequest.decode(frame: &frame)
                let response: KafkaResponse
                switch request {
                case .fetch(let fetch):
                    response = .fetch(try answer(fetch))
                case .offsetForLeaderEpoch(let request):
                    counts.withLock { $0.epochRequests += 1 }
                    let end = refusedLog.logEndOffset
                    response = .offsetForLeaderEpoch(OffsetForLeaderEpochResponse(topics: request.topics.map { topic in
                        .init(topic: topic.topic, partitions: topic.partitions.map {
                            .init(partition: $0.partition, leaderEpoch: $0.leaderEpoch, endOffset: end)
                        })
                    }))
                default:
                    context.close(promise: nil)
                    return
                }
                var buffer = context.channel.allocator.buffer(capacity: 256)
                try response.encodeFrame(correlationId: header.correlationId, version: header.apiVersion, into: &buffer)
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
                fetched.notify()
            } catch {
                context.close(promise: nil)
            }
        }

        private func answer(_ fetch: FetchRequest) throws -> FetchResponse {
            var partitions: [FetchResponse.Partition] = []
            for topic in fetch.topics {
                for asked in topic.partitions {
                    let batch: [UInt8]
                    if asked.partition == ReplicaFetcherBackoffTests.refusedPartition {
                        counts.withLock { $0.refusedFetches += 1 }
                        // Starts one before the follower's end: an overlap its log refuses.
                        batch = try ReplicaFetcherBackoffTests.batch(at: asked.fetchOffset - 1, records: 2)
                    } else {
                        counts.withLock { $0.healthyFetches += 1 }
                        batch = try ReplicaFetcherBackoffTests.batch(at: asked.fetchOffset, records: 1)
                    }
                    let end = asked.fetchOffset + 1
                    partitions.append(.init(partitionIndex: asked.partition, highWatermark: end, lastStableOffset: end,
                                            logStartOffset: 0, records: ByteBuffer(bytes: batch)))
                }
            }
            return FetchResponse(responses: [.init(topic: ReplicaFetcherBackoffTests.topic, partitions: partitions)])
        }
    }

    static func batch(at offset: Int64, records: Int) throws -> [UInt8] {
        try RecordBatchEncoder.encode((0..<records).map { Record(value: [UInt8(truncatingIfNeeded: $0)]) },
                                      baseOffset: offset, partitionLeaderEpoch: epoch, timestamp: 1_700_000_000_000)
    }

    @Test func aPartitionRefusedAgainAndAgainIsBackedOffWhileTheOthersGoOn() async throws {
        let directory = NSTemporaryDirectory() + "basalt-fetcher-backoff-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let refusedLog = try PartitionLog(directory: directory + "/t-0")
        let healthyLog = try PartitionLog(directory: directory + "/t-1")
        // The refused partition holds two records of the current epoch, so every truncation
        // round asks the leader (OffsetForLeaderEpoch) and learns there is nothing to cut.
        try await refusedLog.appendAsFollower(try Self.batch(at: 0, records: 2))

        let fetched = WakeSignal()
        let group = MultiThreadedEventLoopGroup.singleton
        let leader = FakeLeader(refusedLog: refusedLog, fetched: fetched)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: 1 << 20)))
                    try channel.pipeline.syncOperations.addHandler(leader)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)

        let logger = Logger(label: "test.fetcher-backoff")
        var view = ClusterView()
        view.brokers[1] = BrokerRecord(host: "127.0.0.1", port: port)
        // Never started: the view above is all the fetcher reads, etcd is never asked.
        let metadata = ClusterMetadata(
            client: try EtcdClient(endpoints: [EtcdEndpoint(host: "127.0.0.1", port: 1)], eventLoopGroup: group),
            keys: ClusterKeys(cluster: "test"), logger: logger, view: view)
        let context = ReplicaContext(
            nodeId: 2, metadata: metadata, eventLoopGroup: group, producerStates: ProducerStates(logger: logger),
            logger: logger, maxResponseBytes: 8 << 20, fetchMaxBytesPerPartition: 1 << 20, fetchWaitMaxMs: 500,
            fetchBackoffMs: 1000)
        let fetcher = ReplicaFetcher(leaderId: 1, context: context)
        fetcher.follow(TopicPartition(topic: Self.topic, partition: Self.refusedPartition), log: refusedLog, epoch: Self.epoch)
        fetcher.follow(TopicPartition(topic: Self.topic, partition: Self.healthyPartition), log: healthyLog, epoch: Self.epoch)
        fetcher.start()

        // A fixed window of wall time: the backoff (none, then 50 ms doubling to 1 s) allows
        // about 8 fetches of the refused partition in 2 s; a slower machine only makes fewer.
        try await Task.sleep(for: .seconds(2))
        let window = leader.counts.withLock { $0 }
        #expect(window.refusedFetches >= 2, "the refused partition was fetched again after its first refusal")
        #expect(window.refusedFetches <= 12, "refused partition fetched \(window.refusedFetches) times in 2 s")
        #expect(window.epochRequests <= 12, "\(window.epochRequests) OffsetForLeaderEpoch requests in 2 s")
        #expect(refusedLog.logEndOffset == 2)

        // The healthy partition keeps being copied meanwhile: wait for 50 more of its records.
        let target = healthyLog.logEndOffset + 50
        let deadline = ContinuousClock.now + .seconds(30)
        while healthyLog.logEndOffset < target, ContinuousClock.now < deadline {
            await fetched.wait(timeout: .milliseconds(500))
        }
        #expect(healthyLog.logEndOffset >= target, "healthy partition stuck at \(healthyLog.logEndOffset)")
        // Every record copied in order (the fetcher still appends while this reads).
        let offsets = try healthyLog.readRecords(from: 0).map(\.offset)
        #expect(offsets.count >= target)
        #expect(offsets == Array(0..<Int64(offsets.count)))

        fetcher.stop()
        try await server.close()
        try refusedLog.close()
        try healthyLog.close()
    }
}
