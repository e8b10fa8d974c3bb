import Basalt
import BasaltBroker
import BasaltKafka
import NIOCore
import Testing

/// A parked Fetch waits on the store's ``DataSignal``, to which every partition reports
/// its own changes: it wakes whichever path appended, not only the broker's produce path.
@Suite struct FetchLongPollTests {
    /// An application that embeds the store the broker serves appends with
    /// `PartitionLog.append`, never through Produce: the parked Fetch over partitions of
    /// two topics still wakes, with the record. Before, only produce requests woke it.
    @Test func appendThroughTheCoreWakesAParkedFetch() async throws {
        let broker = try await TestBroker.start { $0.maxFetchWaitMs = 600_000 }
        let store = broker.server.broker.store
        try store.createTopic("quiet", partitions: 1)
        let embedded = try store.createTopic("embedded", partitions: 2)
        let connection = try broker.connect()
        let start = ContinuousClock.now
        // The connection gives up reading after 10 s, far below `max_wait_ms`: only a
        // wake-up answers in time.
        async let response = connection.roundTrip(.fetch(FetchRequest(maxWaitMs: 600_000, minBytes: 1, topics: [
            .init(topic: "quiet", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
            .init(topic: "embedded", partitions: [
                .init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20),
                .init(partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20),
            ]),
        ])), version: 11)
        while store.signal.parkedWaiters < 1 { await Task.yield() }
        try await embedded.partition(1).append([Record(value: Array("from the core".utf8))])
        guard case .fetch(let fetched) = try await response else {
            Issue.record("not a fetch response")
            return
        }
        let partition = fetched.responses.first { $0.topic == "embedded" }?.partitions.first { $0.partitionIndex == 1 }
        #expect(partition?.errorCode == .noError)
        #expect(partition?.highWatermark == 1)
        #expect((partition?.records?.readableBytes ?? 0) > 0)
        #expect(ContinuousClock.now - start < .seconds(300))
        try await broker.stop()
    }

    /// Draining wakes a parked Fetch, which answers at once with what there is.
    @Test func drainWakesAParkedFetch() async throws {
        let broker = try await TestBroker.start { $0.maxFetchWaitMs = 600_000 }
        let store = broker.server.broker.store
        try store.createTopic("idle", partitions: 1)
        let connection = try broker.connect()
        async let response = connection.roundTrip(.fetch(FetchRequest(maxWaitMs: 600_000, minBytes: 1, topics: [
            .init(topic: "idle", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
        ])), version: 11)
        while store.signal.parkedWaiters < 1 { await Task.yield() }
        await broker.server.broker.drain(grace: .seconds(300))
        guard case .fetch(let fetched) = try await response else {
            Issue.record("not a fetch response")
            return
        }
        #expect(fetched.responses.first?.partitions.first?.errorCode == .noError)
        #expect(broker.server.broker.requestsInFlight == 0)
        try await broker.stop()
    }
}
