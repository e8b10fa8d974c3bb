import Basalt
import BasaltKafka

extension Broker {
    /// ListOffsets: −1 latest (the high watermark), −2 earliest (log start), and a
    /// timestamp ≥ 0 for the first record at or after it (offset −1 when none is).
    /// Needs Describe on each topic (TOPIC_AUTHORIZATION_FAILED per partition, as Kafka).
    func listOffsets(_ request: ListOffsetsRequest, version: Int16, access: RequestAccess) -> ListOffsetsResponse {
        let topics = request.topics.map { requested -> ListOffsetsResponse.Topic in
            if let code = access.topicError(.describe, requested.name) {
                return ListOffsetsResponse.Topic(name: requested.name, partitions: requested.partitions.map {
                    .init(partitionIndex: $0.partitionIndex, errorCode: code, offset: -1)
                })
            }
            let topic = try? store.topic(requested.name)
            let partitions = requested.partitions.map { asked -> ListOffsetsResponse.Partition in
                let answer = listOffset(asked, topic: topic, name: requested.name, version: version)
                return version == 0 ? Self.oldStyle(answer, asked: asked, logStartOffset: topic.flatMap {
                    try? $0.partition(asked.partitionIndex).logStartOffset
                }) : answer
            }
            return ListOffsetsResponse.Topic(name: requested.name, partitions: partitions)
        }
        return ListOffsetsResponse(topics: topics)
    }

    /// A ListOffsets v0 answer: an array of at most `max_num_offsets` offsets, newest first.
    /// Kafka lists segment base offsets there; Basalt lists what v1 answers (the high
    /// watermark, the log start or the offset for a timestamp), and for "latest" also the
    /// log start when two are asked, so "earliest ≤ latest" old clients rely on holds.
    private static func oldStyle(
        _ answer: ListOffsetsResponse.Partition, asked: ListOffsetsRequest.Partition, logStartOffset: Int64?
    ) -> ListOffsetsResponse.Partition {
        var offsets: [Int64] = []
        if answer.errorCode == .noError, answer.offset >= 0 {
            offsets.append(answer.offset)
            if asked.timestamp == -1, let logStartOffset, logStartOffset < answer.offset { offsets.append(logStartOffset) }
        }
        let limit = max(Int(asked.maxNumOffsets), 0)
        return ListOffsetsResponse.Partition(
            partitionIndex: answer.partitionIndex, errorCode: answer.errorCode, offset: -1,
            oldStyleOffsets: Array(offsets.prefix(limit)))
    }

    private func listOffset(
        _ asked: ListOffsetsRequest.Partition, topic: Topic?, name: String, version: Int16
    ) -> ListOffsetsResponse.Partition {
        guard let topic, let log = try? topic.partition(asked.partitionIndex) else {
            return .init(partitionIndex: asked.partitionIndex, errorCode: .unknownTopicOrPartition, offset: -1)
        }
        let id = TopicPartition(topic: name, partition: asked.partitionIndex)
        let leaderEpoch: Int32
        switch leadership(id, log: log, requestEpoch: asked.currentLeaderEpoch) {
        case .leader(let current, _): leaderEpoch = current
        case .refused(let code): return .init(partitionIndex: asked.partitionIndex, errorCode: code, offset: -1)
        }
        let epoch: Int32 = version >= 4 ? leaderEpoch : -1
        switch asked.timestamp {
        case -1:
            // Consumers see only what every in-sync replica has.
            return .init(partitionIndex: asked.partitionIndex, offset: log.highWatermark, leaderEpoch: epoch)
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
                logger.error("timestamp lookup failed: \(error)", metadata: ["topic": "\(name)"])
                return .init(partitionIndex: asked.partitionIndex, errorCode: error.kafkaErrorCode, offset: -1)
            } catch {
                return .init(partitionIndex: asked.partitionIndex, errorCode: .unknownServerError, offset: -1)
            }
        default:
            return .init(partitionIndex: asked.partitionIndex, errorCode: .invalidRequest, offset: -1)
        }
    }

    /// OffsetForLeaderEpoch: where the asked epoch ends in this leader's log, from its
    /// leader epoch cache (kafka-compat.md §5). Followers ask it to find where their history
    /// diverges; librdkafka asks it to detect truncation (KIP-320). A single node that never
    /// recorded epochs has one epoch spanning the whole log.
    ///
    /// Needs Describe on each topic from a consumer, ClusterAction on the cluster from a
    /// follower (replica id ≥ 0, checked at dispatch).
    func offsetForLeaderEpoch(_ request: OffsetForLeaderEpochRequest, access: RequestAccess) -> OffsetForLeaderEpochResponse {
        let topics = request.topics.map { requested -> OffsetForLeaderEpochResponse.Topic in
            if request.replicaId < 0, let code = access.topicError(.describe, requested.topic) {
                return OffsetForLeaderEpochResponse.Topic(topic: requested.topic, partitions: requested.partitions.map {
                    .init(errorCode: code, partition: $0.partition, leaderEpoch: -1, endOffset: -1)
                })
            }
            let topic = try? store.topic(requested.topic)
            let partitions = requested.partitions.map { asked -> OffsetForLeaderEpochResponse.Partition in
                guard let topic, let log = try? topic.partition(asked.partition) else {
                    return .init(errorCode: .unknownTopicOrPartition, partition: asked.partition, leaderEpoch: -1, endOffset: -1)
                }
                let id = TopicPartition(topic: requested.topic, partition: asked.partition)
                if case .refused(let code) = leadership(id, log: log, requestEpoch: asked.currentLeaderEpoch) {
                    return .init(errorCode: code, partition: asked.partition, leaderEpoch: -1, endOffset: -1)
                }
                guard asked.leaderEpoch >= 0 else {
                    return .init(partition: asked.partition, leaderEpoch: -1, endOffset: -1)
                }
                // On one node without recorded epochs the whole log is one epoch, the log's.
                if cluster == nil, log.leaderEpochCache.latestEpoch == nil {
                    return .init(partition: asked.partition, leaderEpoch: log.leaderEpoch, endOffset: log.logEndOffset)
                }
                let (epoch, endOffset) = log.endOffset(forLeaderEpoch: asked.leaderEpoch)
                return .init(partition: asked.partition, leaderEpoch: epoch, endOffset: endOffset)
            }
            return OffsetForLeaderEpochResponse.Topic(topic: requested.topic, partitions: partitions)
        }
        return OffsetForLeaderEpochResponse(topics: topics)
    }
}
