import BasaltEtcd
import Testing

/// Controller election through a leased key, against a real etcd.
extension EtcdTests {
@Suite struct EtcdElectionTests {
    @Test func twoCampaignersOneLeaderAndTakeoverAfterRevoke() async throws {
        try await withEtcd { _, client in
            let leaseA = try await client.grantLease(ttlSeconds: 30)
            let leaseB = try await client.grantLease(ttlSeconds: 30)
            let a = EtcdElection(client: client, key: "/controller", value: bytes("broker-a"), leaseID: leaseA.id)
            let b = EtcdElection(client: client, key: "/controller", value: bytes("broker-b"), leaseID: leaseB.id)
            let observed = StreamCollector(a.observe())
            defer { observed.cancel() }

            try await withDeadline(.seconds(5), "a to win an empty election") { try await a.campaign() }
            #expect(a.isLeader)
            #expect(try await a.tryCampaign())  // repeating a won campaign keeps the office
            #expect(!(try await b.tryCampaign()))

            let bWon = Task { try await b.campaign() }
            try await eventually(within: .seconds(5), "observer to see a as leader") {
                observed.elements.contains { $0?.value == bytes("broker-a") }
            }
            #expect(!b.isLeader)
            #expect(try await a.leader()?.value == bytes("broker-a"))

            try await client.revokeLease(leaseA.id)
            try await withDeadline(.seconds(10), "b to take over") { try await bWon.value }
            #expect(b.isLeader)
            #expect(try await b.leader()?.value == bytes("broker-b"))
            try await eventually(within: .seconds(5), "observer to see the vacancy and then b") {
                let seen = observed.elements
                return seen.last??.value == bytes("broker-b") && seen.contains { $0 == nil }
            }

            // a's resign must not delete b's key: its create revision is a's, not b's.
            #expect(!(try await a.resign()))
            #expect(try await b.leader()?.value == bytes("broker-b"))
            #expect(try await b.resign())
            #expect(try await b.leader() == nil)
        }
    }
}
}
