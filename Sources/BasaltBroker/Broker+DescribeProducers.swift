import Basalt
import BasaltKafka

extension Broker {
    /// DescribeProducers: the idempotent producers of each partition this broker leads, from
    /// its producer state table. Basalt runs no transactions, so coordinator epoch and
    /// transaction start offset are always −1.
    func describeProducers(_ request: DescribeProducersRequest) -> DescribeProducersResponse {
        let topics = request.topics.map { asked in
            let topic = try? store.topic(asked.name)
            return DescribeProducersResponse.Topic(name: asked.name, partitions: asked.partitionIndexes.map { index in
                func failure(_ code: KafkaErrorCode) -> DescribeProducersResponse.Partition {
                    .init(partitionIndex: index, errorCode: code, activeProducers: [])
                }
                guard let topic, index >= 0, index < topic.partitions.count else {
                    // In a cluster a topic this broker holds no replica of is another's to answer.
                    if cluster != nil, let count = partitionCount(of: asked.name), index >= 0, index < count {
                        return failure(.notLeaderOrFollower)
                    }
                    return failure(.unknownTopicOrPartition)
                }
                let partition = TopicPartition(topic: asked.name, partition: index)
                let log = topic.partitions[Int(index)]
                guard case .leader = leadership(partition, log: log, requestEpoch: -1) else {
                    return failure(.notLeaderOrFollower)
                }
                let table: ProducerStateTable
                do {
                    table = try producerStates.table(for: partition, log: log)
                } catch {
                    return failure(.kafkaStorageError)
                }
                return .init(partitionIndex: index, activeProducers: table.entries.map { entry in
                    .init(producerId: entry.producerId, producerEpoch: Int32(entry.epoch),
                          lastSequence: entry.batches.last?.lastSequence ?? -1, lastTimestamp: entry.lastTimestamp ?? -1)
                })
            })
        }
        return DescribeProducersResponse(topics: topics)
    }
}
