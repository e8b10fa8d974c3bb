import BasaltEtcd
import Synchronization

/// Hands out producer ids that no two brokers of a cluster ever share.
///
/// Idempotent producers are identified by their id alone: two producers given the same id
/// by two brokers would have each other's batches taken for duplicates and dropped, with
/// "success" answered. So ids come in blocks reserved in etcd: the key `producer-ids` holds
/// the first id of the next free block, and a broker takes a block with a compare-and-swap
/// on the key's revision. A broker that dies wastes the rest of its block, which is harmless.
final class ClusterProducerIds: Sendable {
    static let blockSize: Int64 = 1000

    private struct Block {
        var next: Int64
        var end: Int64
    }

    private let client: EtcdClient
    private let key: String
    private let block = Mutex(Block(next: 0, end: 0))

    init(client: EtcdClient, keys: ClusterKeys) {
        self.client = client
        key = keys.root + "producer-ids"
    }

    /// The next unused producer id.
    ///
    /// - Throws: the etcd client's errors, or ``ClusterRecordError`` when the key holds
    ///   something other than a non-negative id below `Int64.max - blockSize`.
    func next() async throws -> Int64 {
        while true {
            if let id = block.withLock({ block -> Int64? in
                guard block.next < block.end else { return nil }
                defer { block.next += 1 }
                return block.next
            }) {
                return id
            }
            let current = try await client.get(key)
            let start: Int64
            if let current {
                guard let value = Int64(String(decoding: current.value, as: UTF8.self)), value >= 0,
                      value < Int64.max - Self.blockSize else {
                    throw ClusterRecordError.malformed(key: key, reason: "not a producer id")
                }
                start = value
            } else {
                start = 0
            }
            let end = start + Self.blockSize
            let result = try await client.txn(
                compare: [.modRevision(of: key, .equal, current?.modRevision ?? 0)],
                success: [.put(key: key, value: Array(String(end).utf8), leaseID: 0)])
            // Lost the race to another broker: read the key again and take the next block.
            guard result.succeeded else { continue }
            block.withLock { $0 = Block(next: start, end: end) }
        }
    }
}
