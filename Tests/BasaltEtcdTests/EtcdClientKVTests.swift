import BasaltEtcd
import NIOPosix
import Testing

/// KV reads, writes and transactions against a real etcd.
extension EtcdTests {
@Suite struct EtcdClientKVTests {
    @Test func putGetPrefixDelete() async throws {
        try await withEtcd { _, client in
            let first = try await client.put("/basalt/brokers/1", value: bytes("a"))
            let second = try await client.put("/basalt/brokers/2", value: bytes("b"))
            try await client.put("/basalt/brokersX", value: bytes("outside the prefix"))
            #expect(second > first)

            let one = try #require(try await client.get("/basalt/brokers/1"))
            #expect(one.value == bytes("a"))
            #expect(one.createRevision == first && one.modRevision == first && one.version == 1 && one.leaseID == 0)
            #expect(try await client.get("/basalt/missing") == nil)

            let listed = try await client.getPrefix("/basalt/brokers/")
            #expect(listed.keyValues.map(\.key) == ["/basalt/brokers/1", "/basalt/brokers/2"])
            #expect(listed.revision >= second + 1)

            #expect(try await client.delete("/basalt/brokers/1") == 1)
            #expect(try await client.delete("/basalt/brokers/1") == 0)
            #expect(try await client.get("/basalt/brokers/1") == nil)
            #expect(try await client.deletePrefix("/basalt/") == 2)
            #expect(try await client.getPrefix("/basalt/").keyValues.isEmpty)

            // Binary values and non-ASCII keys survive the base64 round trip.
            let binary: [UInt8] = [0, 255, 1, 128, 10, 13]
            try await client.put("/ключ/ü", value: binary)
            #expect(try await client.get("/ключ/ü")?.value == binary)
        }
    }

    @Test func compareAndSwapSucceedsOnceAndFailsOnAStaleRevision() async throws {
        try await withEtcd { _, client in
            let created = try await client.put("/p/0", value: bytes("epoch 0"))
            let swapped = try await client.compareAndSwap("/p/0", expectedModRevision: created, newValue: bytes("epoch 1"))
            #expect(swapped.succeeded)
            #expect(swapped.revision > created)

            let stale = try await client.compareAndSwap("/p/0", expectedModRevision: created, newValue: bytes("epoch 1 again"))
            #expect(!stale.succeeded)
            guard case .range(let current)? = stale.responses.first else {
                Issue.record("failed CAS did not return the current value: \(stale)")
                return
            }
            #expect(current.first?.value == bytes("epoch 1"))
            #expect(current.first?.modRevision == swapped.revision)
        }
    }

    @Test func twoConcurrentCompareAndSwapsOnOneRevisionExactlyOneWins() async throws {
        try await withEtcd { _, client in
            for round in 0..<5 {
                let key = "/p/race-\(round)"
                let revision = try await client.put(key, value: bytes("start"))
                async let a = client.compareAndSwap(key, expectedModRevision: revision, newValue: bytes("a"))
                async let b = client.compareAndSwap(key, expectedModRevision: revision, newValue: bytes("b"))
                let results = try await [a, b]
                #expect(results.filter(\.succeeded).count == 1, "round \(round): \(results)")
                let winner = results[0].succeeded ? "a" : "b"
                #expect(try await client.get(key)?.value == bytes(winner))
            }
        }
    }

    @Test func createIfAbsentRaceHasExactlyOneWinner() async throws {
        try await withEtcd { _, client in
            let results = try await withThrowingTaskGroup(of: (Int, EtcdTxnResult).self) { group in
                for contender in 0..<8 {
                    group.addTask { (contender, try await client.createIfAbsent("/controller", value: bytes("\(contender)"))) }
                }
                var results: [(Int, EtcdTxnResult)] = []
                for try await result in group { results.append(result) }
                return results
            }
            let winners = results.filter { $0.1.succeeded }
            #expect(winners.count == 1)
            let winner = try #require(winners.first)
            #expect(try await client.get("/controller")?.value == bytes("\(winner.0)"))
            for (_, loser) in results where !loser.succeeded {
                #expect(loser.responses == [.range([try #require(try await client.get("/controller"))])])
            }
        }
    }

    @Test func generalTransactionRunsTheBranchTheComparisonsChoose() async throws {
        try await withEtcd { _, client in
            let revision = try await client.put("/state/p0", value: bytes("v1"))
            let result = try await client.txn(
                compare: [.version(of: "/state/p0", .equal, 1), .value(of: "/state/p0", .equal, bytes("v1"))],
                success: [.put(key: "/state/p0", value: bytes("v2"), leaseID: 0), .put(key: "/state/p1", value: bytes("x"), leaseID: 0),
                          .getPrefix("/state/")],
                failure: [])
            #expect(result.succeeded)
            #expect(result.responses.count == 3)
            guard case .range(let listed) = result.responses[2] else {
                Issue.record("third response is not a range: \(result.responses[2])")
                return
            }
            #expect(listed.map(\.value) == [bytes("v2"), bytes("x")])

            let failed = try await client.txn(
                compare: [.modRevision(of: "/state/p0", .equal, revision)],
                success: [.deletePrefix("/state/")],
                failure: [.delete(key: "/state/p1")])
            #expect(!failed.succeeded)
            #expect(failed.responses == [.delete(deleted: 1)])
            #expect(try await client.get("/state/p0") != nil)
        }
    }

    @Test func etcdErrorsArriveTypedWithContext() async throws {
        try await withEtcd { etcd, client in
            do {
                try await client.put("/k", value: bytes("v"), leaseID: 123_456)
                Issue.record("put under an unknown lease succeeded")
            } catch let error as EtcdError {
                guard case .server(let endpoint, let operation, let code, let message) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(endpoint == etcd.endpoint.description)
                #expect(operation == "kv/put")
                #expect(code == 5)
                #expect(message.contains("lease not found"))
            }
        }
    }
}
}
