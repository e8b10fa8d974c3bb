import Basalt
import BasaltKafka

extension Broker {
    /// ListOffsets: −1 latest (the high watermark), −2 earliest (log start), and a
    /// timestamp ≥ 0 for the first record at or after it (offset −1 when none is).
    func listOffsets(_ request: ListOffsetsRequest, version: Int16) -> ListOffsetsResponse {
        let topics = request.topics.map { requested -> ListOffsetsResponse.Topic in
            let topic = try? store.topic(requested.name)
            let partitions = requested.partitions.map { asked -> ListOffsetsResponse.Partition in
                let epoch: Int32 = version >= 4 ? Self.leaderEpoch : -1
                guard let topic, let log = try? topic.partition(asked.partitionIndex) else {
                    return .init(partitionIndex: asked.partitionIndex, errorCode: .unknownTopicOrPartition, offset: -1)
                }
                let epochCheck = checkLeaderEpoch(asked.currentLeaderEpoch)
                guard epochCheck == .noError else {
                    return .init(partitionIndex: asked.partitionIndex, errorCode: epochCheck, offset: -1)
                }
                switch asked.timestamp {
                case -1:
                    return .init(partitionIndex: asked.partitionIndex, offset: log.logEndOffset, leaderEpoch: epoch)
                case -2:
                    return .init(partitionIndex: asked.partitionIndex, offset: log.logStartOffset, leaderEpoch: epoch)
                case let timestamp where timestamp >= 0:
                    do {
                        guard let found = try log.offset(forTimestamp: timestamp) else {
                            return .init(partitionIndex: asked.partitionIndex, offset: -1, leaderEpoch: epoch)
                        }
                        return .init(partitionIndex: asked.partitionIndex, timestamp: found.timestamp, offset: found.offset,
                                     leaderEpoch: epoch)
                    } catch let error as BasaltError {
                        logger.error("timestamp lookup failed: \(error)", metadata: ["topic": "\(requested.name)"])
                        return .init(partitionIndex: asked.partitionIndex, errorCode: error.kafkaErrorCode, offset: -1)
                    } catch {
                        return .init(partitionIndex: asked.partitionIndex, errorCode: .unknownServerError, offset: -1)
                    }
                default:
                    return .init(partitionIndex: asked.partitionIndex, errorCode: .invalidRequest, offset: -1)
                }
            }
            return ListOffsetsResponse.Topic(name: requested.name, partitions: partitions)
        }
        return ListOffsetsResponse(topics: topics)
    }

    /// OffsetForLeaderEpoch: one epoch (0) that spans the whole log, so the end offset of
    /// any epoch ≥ 0 asked for is the log end offset.
    func offsetForLeaderEpoch(_ request: OffsetForLeaderEpochRequest) -> OffsetForLeaderEpochResponse {
        let topics = request.topics.map { requested -> OffsetForLeaderEpochResponse.Topic in
            let topic = try? store.topic(requested.topic)
            let partitions = requested.partitions.map { asked -> OffsetForLeaderEpochResponse.Partition in
                guard let topic, let log = try? topic.partition(asked.partition) else {
                    return .init(errorCode: .unknownTopicOrPartition, partition: asked.partition, leaderEpoch: -1, endOffset: -1)
                }
                let epochCheck = checkLeaderEpoch(asked.currentLeaderEpoch)
                guard epochCheck == .noError else {
                    return .init(errorCode: epochCheck, partition: asked.partition, leaderEpoch: -1, endOffset: -1)
                }
                guard asked.leaderEpoch >= 0 else {
                    return .init(partition: asked.partition, leaderEpoch: -1, endOffset: -1)
                }
                return .init(partition: asked.partition, leaderEpoch: Self.leaderEpoch, endOffset: log.logEndOffset)
            }
            return OffsetForLeaderEpochResponse.Topic(topic: requested.topic, partitions: partitions)
        }
        return OffsetForLeaderEpochResponse(topics: topics)
    }
}
