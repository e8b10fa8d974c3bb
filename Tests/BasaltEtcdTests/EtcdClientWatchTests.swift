import BasaltEtcd
import Testing

/// Watches against a real etcd, including a restart in the middle.
extension EtcdTests {
@Suite struct EtcdClientWatchTests {
    @Test func aWatchSeesPutsAndDeletesInOrderAndResumesAcrossARestart() async throws {
        try await withEtcd { etcd, client in
            let start = try await client.getPrefix("/topics/")
            let events = StreamCollector(client.watch(prefix: "/topics/", fromRevision: start.revision + 1))
            defer { events.cancel() }

            let a = try await client.put("/topics/a", value: bytes("1"))
            let b = try await client.put("/topics/b", value: bytes("2"))
            try await client.put("/other", value: bytes("not watched"))
            try await client.delete("/topics/a")
            let firstThree = try await events.waitFor(count: 3, within: .seconds(10))
            #expect(firstThree.map(\.kind) == [.put, .put, .delete])
            #expect(firstThree.map(\.keyValue.key) == ["/topics/a", "/topics/b", "/topics/a"])
            #expect(firstThree[0].revision == a && firstThree[1].revision == b && firstThree[2].revision == b + 2)
            #expect(firstThree[1].keyValue.value == bytes("2"))

            // Kill etcd mid-watch and bring it back on the same data dir and port; write at once, so
            // some writes land before the watch has reconnected. It must deliver each exactly once.
            try await etcd.restart()
            var written: [Int64] = []
            for i in 0..<10 { written.append(try await client.put("/topics/c\(i)", value: bytes("\(i)"))) }
            let all = try await events.waitFor(count: 13, within: .seconds(20))
            #expect(all.count == 13)
            #expect(Array(all.dropFirst(3).map(\.revision)) == written)
            #expect(Array(all.dropFirst(3).map(\.keyValue.key)) == (0..<10).map { "/topics/c\($0)" })
            #expect(events.error == nil)
        }
    }

    @Test func aWatchFromACompactedRevisionEndsWithATypedError() async throws {
        try await withEtcd { _, client in
            let first = try await client.put("/k", value: bytes("1"))
            let second = try await client.put("/k", value: bytes("2"))
            try await client.compact(revision: second)
            let events = StreamCollector(client.watch(key: "/k", fromRevision: first))
            let error = try await events.waitForEnd(within: .seconds(10))
            guard case .watchCompacted(_, let requested, let compacted)? = error as? EtcdError else {
                Issue.record("expected watchCompacted, got \(String(describing: error))")
                return
            }
            #expect(requested == first && compacted == second)
        }
    }

    @Test func aWatchFromNowSeesOnlyLaterChangesAndStopsWhenTheConsumerStops() async throws {
        try await withEtcd { _, client in
            try await client.put("/k", value: bytes("before"))
            let events = StreamCollector(client.watch(key: "/k"))
            // Retry until the watch is established: a put before that would be missed by "from now".
            try await eventually(within: .seconds(10), "the watch to see a put") {
                try await client.put("/k", value: bytes("after"))
                return !events.elements.isEmpty
            }
            #expect(events.elements.allSatisfy { $0.keyValue.value == bytes("after") })
            events.cancel()
            _ = try await events.waitForEnd(within: .seconds(5))
            #expect(events.error == nil)
        }
    }
}
}
