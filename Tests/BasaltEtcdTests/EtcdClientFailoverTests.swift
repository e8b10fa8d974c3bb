import BasaltEtcd
import NIOPosix
import Testing

/// Endpoint failover and timeouts.
extension EtcdTests {
@Suite struct EtcdClientFailoverTests {
    @Test func aDeadFirstEndpointFailsOverToTheNext() async throws {
        try await withEtcd { etcd, _ in
            let dead = EtcdEndpoint(host: "127.0.0.1", port: try EtcdProcess.freeLoopbackPort())
            let client = try EtcdClient(
                endpoints: "\(dead),\(etcd.endpoint)", eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                requestTimeout: .seconds(2))
            #expect(client.endpoints == [dead, etcd.endpoint])
            // A write fails over too: a refused connection means it was never sent.
            try await client.put("/k", value: bytes("v"))
            #expect(client.preferredEndpoint == etcd.endpoint)
            #expect(try await client.get("/k")?.value == bytes("v"))

            // A watch starting at the dead endpoint moves on as well.
            let fresh = try EtcdClient(
                endpoints: [dead, etcd.endpoint], eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                requestTimeout: .seconds(2))
            let events = StreamCollector(fresh.watch(prefix: "/w/", fromRevision: 1))
            defer { events.cancel() }
            try await client.put("/w/1", value: bytes("x"))
            let seen = try await events.waitFor(count: 1, within: .seconds(10))
            #expect(seen.first?.keyValue.key == "/w/1")
        }
    }

    @Test func everyEndpointDeadFailsPromptlyWithEachError() async throws {
        let ports = [try EtcdProcess.freeLoopbackPort(), try EtcdProcess.freeLoopbackPort()]
        let client = try EtcdClient(
            endpoints: ports.map { EtcdEndpoint(host: "127.0.0.1", port: $0) },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, requestTimeout: .seconds(1))
        let started = ContinuousClock.now
        do {
            _ = try await client.get("/k")
            Issue.record("a read with no etcd succeeded")
        } catch let error as EtcdError {
            guard case .allEndpointsFailed(let operation, let errors) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(operation == "kv/range")
            #expect(errors.count == 2)
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func aFrozenEtcdTimesOutInsteadOfBlocking() async throws {
        try await withEtcd(requestTimeout: .milliseconds(500)) { etcd, client in
            try await client.put("/k", value: bytes("v"))
            etcd.pause()
            defer { etcd.resume() }
            let started = ContinuousClock.now
            await #expect(throws: EtcdError.timedOut(endpoint: etcd.endpoint.description, operation: "kv/put", timeoutMs: 500)) {
                try await client.put("/k", value: bytes("w"))
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(450) && elapsed < .milliseconds(1500), "took \(elapsed)")
        }
    }

    @Test func endpointListsParseAndRejectNonsense() throws {
        let list = try EtcdEndpoint.list(parsing: "http://10.0.0.1:2379, http://[::1]:2380/")
        #expect(list == [EtcdEndpoint(host: "10.0.0.1", port: 2379), EtcdEndpoint(host: "::1", port: 2380)])
        #expect(list[1].description == "http://[::1]:2380")
        for bad in ["", "10.0.0.1:2379", "https://h:1", "http://h", "http://h:0", "http://h:99999", "http://:1", "http://[::1:1"] {
            #expect(throws: EtcdError.self, "\(bad)") { try EtcdEndpoint.list(parsing: bad) }
        }
    }
}
}
