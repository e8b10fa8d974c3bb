import Basalt
import BasaltTesting
import Testing
@testable import BasaltBroker

/// The cluster view is built from etcd values any broker (or a person with etcdctl) can
/// write: hostile values are reported and ignored, never trusted or trapped on.
@Suite struct ClusterViewTests {
    let keys = ClusterKeys(cluster: "t")

    @Test func keysParseOnlyWhatTheyName() {
        #expect(keys.parse("/basalt/t/brokers/3") == .broker(3))
        #expect(keys.parse("/basalt/t/controller") == .controller)
        #expect(keys.parse("/basalt/t/topics/orders") == .topic("orders"))
        #expect(keys.parse("/basalt/t/partitions/orders/7") == .partition("orders", 7))
        for junk in ["/basalt/t/brokers/-1", "/basalt/t/brokers/x", "/basalt/t/brokers/99999999999", "/basalt/u/brokers/1",
                     "/basalt/t/partitions/orders/-2", "/basalt/t/partitions//1", "/basalt/t/topics/", "/basalt/t/other/1",
                     "/basalt/t/partitions/orders/1/2", "/basalt/t/"] {
            #expect(keys.parse(junk) == nil, "\(junk)")
        }
    }

    @Test func validRecordsAreApplied() {
        var view = ClusterView()
        view.apply(key: keys.broker(1), value: Array(#"{"host":"h","port":9092}"#.utf8), modRevision: 2, keys: keys)
        view.apply(key: keys.controller, value: Array("1".utf8), modRevision: 3, keys: keys)
        view.apply(key: keys.topic("o"), value: Array(#"{"partitions":1,"replicationFactor":1,"assignment":[[1]],"configs":{}}"#.utf8),
                   modRevision: 4, keys: keys)
        view.apply(key: keys.partition("o", 0), value: ClusterRecordCodec.encode(PartitionState.initial(replicas: [1])),
                   modRevision: 5, keys: keys)
        #expect(view.brokers[1] == BrokerRecord(host: "h", port: 9092))
        #expect(view.controller == 1)
        #expect(view.partitionStates(of: "o") == [PartitionState.initial(replicas: [1])])
        #expect(view.revision == 5)
        #expect(view.problems.isEmpty)
        // Deleting the topic drops its partitions too.
        view.apply(key: keys.topic("o"), value: nil, modRevision: 6, keys: keys)
        #expect(view.partitions.isEmpty)
    }

    @Test func hostileValuesAreReportedNotTrusted() {
        var view = ClusterView()
        let hostile: [(String, [UInt8])] = [
            (keys.broker(1), Array(#"{"host":"","port":9092}"#.utf8)),
            (keys.broker(2), Array(#"{"host":"h","port":70000}"#.utf8)),
            (keys.controller, Array("-5".utf8)),
            (keys.topic("a"), Array(#"{"partitions":2000000000,"replicationFactor":1,"assignment":[],"configs":{}}"#.utf8)),
            (keys.topic("b"), Array(#"{"partitions":1,"replicationFactor":1,"assignment":[[1,1]],"configs":{}}"#.utf8)),
            (keys.partition("a", 0), Array(#"{"replicas":[1],"leader":2,"leaderEpoch":0,"isr":[1],"partitionEpoch":0}"#.utf8)),
            (keys.partition("a", 1), Array(#"{"replicas":[],"leader":-1,"leaderEpoch":0,"isr":[],"partitionEpoch":0}"#.utf8)),
            (keys.partition("a", 2), [0xFF, 0xFE, 0x00]),
            (keys.partition("a", 3), [UInt8](repeating: 0x5B, count: ClusterRecordCodec.maxValueBytes + 1)),
        ]
        for (key, value) in hostile {
            view.apply(key: key, value: value, modRevision: 9, keys: keys)
            #expect(view.problems[key] != nil, "\(key) was accepted")
        }
        #expect(view.brokers.isEmpty && view.controller == nil && view.topics.isEmpty && view.partitions.isEmpty)
    }

    /// Random bytes under every kind of key: each is applied or reported, never a trap.
    @Test func randomBytesNeverTrap() {
        var random = SeededGenerator(seed: 0xC1A5_7E12)
        var view = ClusterView()
        let targets = [keys.broker(1), keys.controller, keys.topic("r"), keys.partition("r", 0)]
        for round in 0..<2_000 {
            let key = targets[round % targets.count]
            let bytes = random.bytes(Int.random(in: 0...64, using: &random))
            view.apply(key: key, value: bytes, modRevision: Int64(round), keys: keys)
        }
        #expect(view.revision == 1_999)
    }
}
