import Synchronization

/// A topic of a ``Store``: a name, its settings, and its partitions' logs.
public final class Topic: Sendable {
    /// The topic name.
    public let name: String
    /// The settings every partition uses.
    public let config: LogConfig
    /// The partitions' logs, indexed by partition number.
    public let partitions: [PartitionLog]
    private let nextUnkeyedPartition = Atomic<Int>(0)

    init(name: String, config: LogConfig, partitions: [PartitionLog]) {
        self.name = name
        self.config = config
        self.partitions = partitions
    }

    /// Number of partitions.
    public var partitionCount: Int32 { Int32(partitions.count) }

    /// The log of partition `number`.
    /// - Throws: ``BasaltError/unknownPartition(topic:partition:)``.
    public func partition(_ number: Int32) throws -> PartitionLog {
        guard number >= 0, Int(number) < partitions.count else {
            throw BasaltError.unknownPartition(topic: name, partition: number)
        }
        return partitions[Int(number)]
    }

    /// The partition a record with `key` goes to: Kafka's murmur2 rule for a key, round
    /// robin for a null key.
    public func partition(forKey key: [UInt8]?) -> Int32 {
        if let key { return Partitioner.partition(forKey: key, partitionCount: partitionCount) }
        return Int32(nextUnkeyedPartition.add(1, ordering: .relaxed).oldValue % partitions.count)
    }

    /// Appends `records` as one batch to `partition`, or, when nil, to the partition the
    /// first record's key chooses.
    @discardableResult
    public func append(
        _ records: [Record], partition: Int32? = nil, compression: CompressionCodec = .none
    ) async throws -> (partition: Int32, result: AppendResult) {
        guard let first = records.first else { throw BasaltError.invalidBatch(reason: "a batch needs at least one record") }
        let number = partition ?? self.partition(forKey: first.key)
        let result = try await self.partition(number).append(records, compression: compression)
        return (number, result)
    }
}
