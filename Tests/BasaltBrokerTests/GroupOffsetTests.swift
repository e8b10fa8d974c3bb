import Basalt
import BasaltBroker
import BasaltKafka
import Testing

/// OffsetCommit and OffsetFetch over a real socket: what a client commits is what it
/// fetches back, leader epoch included, in the versions that carry it.
@Suite(.serialized) struct GroupOffsetTests {
    static func commit(_ offset: Int64, epoch: Int32, metadata: String) -> KafkaRequest {
        .offsetCommit(OffsetCommitRequest(groupId: "epochs", topics: [
            .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: epoch,
                                                committedMetadata: metadata)]),
        ]))
    }

    static func fetched(_ response: KafkaResponse) -> OffsetFetchResponse.Partition? {
        guard case .offsetFetch(let body) = response else { return nil }
        return body.topics.first?.partitions.first
    }

    @Test func committedLeaderEpochComesBack() async throws {
        let broker = try await TestBroker.start()
        let connection = try broker.connect()
        _ = try await connection.roundTrip(.metadata(MetadataRequest(topics: ["t"])), version: 1)
        let committed = try await connection.roundTrip(Self.commit(42, epoch: 7, metadata: "m"), version: 6)
        guard case .offsetCommit(let body) = committed else { Issue.record("not an OffsetCommit response"); return }
        #expect(body.topics.first?.partitions.first?.errorCode == .noError)

        let request = KafkaRequest.offsetFetch(OffsetFetchRequest(groupId: "epochs", topics: [.init(name: "t", partitionIndexes: [0])]))
        let v5 = try #require(Self.fetched(try await connection.roundTrip(request, version: 5)))
        #expect(v5.committedOffset == 42)
        #expect(v5.committedLeaderEpoch == 7)
        #expect(v5.metadata == "m")

        // Before v6 a commit carries no epoch: the stored one is forgotten, not kept stale.
        _ = try await connection.roundTrip(Self.commit(50, epoch: -1, metadata: ""), version: 5)
        let after = try #require(Self.fetched(try await connection.roundTrip(request, version: 5)))
        #expect(after.committedOffset == 50)
        #expect(after.committedLeaderEpoch == -1)
        try await broker.stop()
    }
}
