import BasaltEtcd
import Testing

/// Leases and the lease keeper against a real etcd. etcd's smallest TTL is 2 s with default timing.
extension EtcdTests {
@Suite struct EtcdClientLeaseTests {
    @Test func aKeyUnderARevokedLeaseDisappears() async throws {
        try await withEtcd { _, client in
            let lease = try await client.grantLease(ttlSeconds: 30)
            #expect(lease.ttlSeconds == 30)
            try await client.put("/brokers/1", value: bytes("host:9092"), leaseID: lease.id)
            #expect(try await client.get("/brokers/1")?.leaseID == lease.id)
            let renewed = try await client.keepAliveOnce(lease.id)
            #expect(renewed.ttlSeconds > 0 && renewed.deadline > lease.deadline)

            try await client.revokeLease(lease.id)
            #expect(try await client.get("/brokers/1") == nil)
            await #expect(throws: EtcdError.self) { _ = try await client.keepAliveOnce(lease.id) }
            do {
                _ = try await client.keepAliveOnce(lease.id)
            } catch let error as EtcdError {
                guard case .leaseExpired(let id, _) = error else {
                    Issue.record("keepalive of a revoked lease: \(error)")
                    return
                }
                #expect(id == lease.id)
            }
        }
    }

    @Test func aKeyDisappearsAfterTheTTLWithoutKeepalive() async throws {
        try await withEtcd { _, client in
            let lease = try await client.grantLease(ttlSeconds: 2)
            try await client.put("/brokers/2", value: bytes("x"), leaseID: lease.id)
            // Letting the TTL run out is what this test is about.
            try await Task.sleep(until: lease.deadline, clock: .continuous)
            try await eventually(within: .seconds(5), "the leased key to disappear") {
                try await client.get("/brokers/2") == nil
            }
        }
    }

    @Test func theKeeperKeepsAKeyAliveAndReportsLossWhenEtcdFreezes() async throws {
        try await withEtcd(requestTimeout: .seconds(1)) { etcd, client in
            let lease = try await client.grantLease(ttlSeconds: 2)
            try await client.put("/controller", value: bytes("broker-1"), leaseID: lease.id)
            let keeper = EtcdLeaseKeeper(client: client, lease: lease)
            defer { keeper.stop() }

            // Across more than 2×TTL the key stays, because the keeper renews it.
            let end = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < end {
                #expect(try await client.get("/controller") != nil)
                #expect(keeper.isHeld)
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(keeper.deadline > lease.deadline + .seconds(2))

            etcd.pause()
            defer { etcd.resume() }
            let pausedAt = ContinuousClock.now
            let deadlineAtPause = keeper.deadline
            let lost = try await withDeadline(.seconds(5), "lease loss to be reported") { () -> EtcdError? in
                for await event in keeper.events {
                    if case .lost(let error) = event { return error }
                }
                return nil
            }
            let reportedAt = ContinuousClock.now
            guard case .leaseExpired(let id, _)? = lost else {
                Issue.record("expected leaseExpired, got \(String(describing: lost))")
                return
            }
            #expect(id == lease.id)
            #expect(!keeper.isHeld)
            // Reported at the local deadline (which is at most TTL after the pause), not long after it.
            #expect(reportedAt >= deadlineAtPause)
            #expect(reportedAt - deadlineAtPause < .milliseconds(500), "reported \(reportedAt - deadlineAtPause) late")
            #expect(reportedAt - pausedAt <= .seconds(2) + .milliseconds(500))
        }
    }

    @Test func theKeeperReportsLossAtOnceWhenTheLeaseIsRevoked() async throws {
        try await withEtcd { _, client in
            let lease = try await client.grantLease(ttlSeconds: 3)
            let keeper = EtcdLeaseKeeper(client: client, lease: lease)
            defer { keeper.stop() }
            try await client.revokeLease(lease.id)
            // Noticed at the next renewal (TTL/3 = 1 s), well before the 3 s deadline.
            let lost = try await withDeadline(.seconds(3), "lease loss to be reported") { () -> EtcdError? in
                for await event in keeper.events {
                    if case .lost(let error) = event { return error }
                }
                return nil
            }
            #expect(lost != nil)
            #expect(ContinuousClock.now < lease.deadline)
            #expect(!keeper.isHeld)
        }
    }
}
}

/// A keeper nobody holds any more stops renewing instead of keeping its lease alive forever.
extension EtcdTests {
@Suite struct EtcdLeaseKeeperLifetimeTests {
    @Test func aDroppedKeeperStopsRenewing() async throws {
        try await withEtcd { _, client in
            let lease = try await client.grantLease(ttlSeconds: 30)
            var keeper: EtcdLeaseKeeper? = EtcdLeaseKeeper(client: client, lease: lease)
            let events = try #require(keeper?.events)
            keeper = nil
            #expect(keeper == nil)
            let ended = try await withDeadline(.seconds(5), "the dropped keeper's events to end") { () -> Bool in
                for await _ in events {}
                return true
            }
            #expect(ended)
        }
    }
}
}
