import Basalt
import BasaltKafka

extension Broker {
    /// Longest commit metadata string kept (Kafka's `offset.metadata.max.bytes`).
    static let maxCommitMetadataBytes = 4096

    /// OffsetCommit: checked against the group's generation and membership by the
    /// coordinator, then written to the store's durable cursors (one atomic, synced
    /// write for the whole request) before the answer goes out.
    ///
    /// Read on the group is checked at dispatch; here each topic needs Read
    /// (TOPIC_AUTHORIZATION_FAILED, and nothing is committed for it).
    func commitOffsets(_ request: OffsetCommitRequest, access: RequestAccess) async -> OffsetCommitResponse {
        let deniedTopics = Set(request.topics.map(\.name).filter { !access.allowsTopic(.read, $0) })
        func answer(_ code: (OffsetCommitRequest.Partition) -> KafkaErrorCode) -> OffsetCommitResponse {
            OffsetCommitResponse(topics: request.topics.map { topic in
                OffsetCommitResponse.Topic(name: topic.name, partitions: topic.partitions.map {
                    OffsetCommitResponse.Partition(partitionIndex: $0.partitionIndex,
                                                   errorCode: deniedTopics.contains(topic.name) ? .topicAuthorizationFailed : code($0))
                })
            })
        }
        guard (try? NameRules.validateGroup(request.groupId)) != nil else { return answer { _ in .invalidGroupId } }
        let verdict = await groups.validateCommit(groupId: request.groupId, generationId: request.generationId,
                                                  memberId: request.memberId)
        guard verdict == .noError else { return answer { _ in verdict } }
        var offsets: [TopicPartition: CommittedOffset] = [:]
        for topic in request.topics where !deniedTopics.contains(topic.name) {
            for partition in topic.partitions where (partition.committedMetadata?.utf8.count ?? 0) <= Self.maxCommitMetadataBytes {
                offsets[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] =
                    CommittedOffset(offset: partition.committedOffset, metadata: partition.committedMetadata ?? "",
                                    leaderEpoch: partition.committedLeaderEpoch >= 0 ? partition.committedLeaderEpoch : nil)
            }
        }
        var failure: KafkaErrorCode?
        if !offsets.isEmpty, let cluster {
            do {
                try await cluster.groupOffsets.commit(group: request.groupId, offsets: offsets)
            } catch {
                logger.error("offset commit to etcd failed: \(error)", metadata: ["group": "\(request.groupId)"])
                failure = .requestTimedOut
            }
        } else if !offsets.isEmpty {
            let offsets = offsets
            do {
                try await blockingPool.runIfActive { [store] in try store.cursors.commit(group: request.groupId, offsets: offsets) }
            } catch {
                logger.error("offset commit failed: \(error)", metadata: ["group": "\(request.groupId)"])
                failure = .kafkaStorageError
            }
        }
        return answer { partition in
            if (partition.committedMetadata?.utf8.count ?? 0) > Self.maxCommitMetadataBytes {
                return KafkaErrorCode(rawValue: 12)  // OFFSET_METADATA_TOO_LARGE
            }
            return failure ?? .noError
        }
    }

    /// OffsetFetch: the committed offsets of a group, −1 where none is; a null topic
    /// list means every partition the group has committed.
    ///
    /// Describe on the group is checked at dispatch; a topic asked for by name without Describe
    /// answers TOPIC_AUTHORIZATION_FAILED, and one the principal may not describe is left out of
    /// an all-topics answer (as Kafka does).
    func fetchOffsets(_ request: OffsetFetchRequest, access: RequestAccess) async -> OffsetFetchResponse {
        let committed: [TopicPartition: CommittedOffset]
        if let cluster {
            do {
                committed = try await cluster.groupOffsets.committedOffsets(group: request.groupId)
            } catch {
                logger.error("offset fetch from etcd failed: \(error)", metadata: ["group": "\(request.groupId)"])
                return OffsetFetchResponse(topics: [], errorCode: .coordinatorLoadInProgress)
            }
        } else {
            committed = store.cursors.committedOffsets(group: request.groupId)
        }
        let wanted: [(String, [Int32])]
        if let topics = request.topics {
            wanted = topics.map { ($0.name, $0.partitionIndexes) }
        } else {
            var byTopic: [String: [Int32]] = [:]
            for key in committed.keys where access.allowsTopic(.describe, key.topic) {
                byTopic[key.topic, default: []].append(key.partition)
            }
            wanted = byTopic.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sorted()) }
        }
        let topics = wanted.map { name, partitions in
            if request.topics != nil, !access.allowsTopic(.describe, name) {
                return OffsetFetchResponse.Topic(name: name, partitions: partitions.map {
                    OffsetFetchResponse.Partition(partitionIndex: $0, committedOffset: -1, metadata: "",
                                                  errorCode: .topicAuthorizationFailed)
                })
            }
            return OffsetFetchResponse.Topic(name: name, partitions: partitions.map { index in
                guard let offset = committed[TopicPartition(topic: name, partition: index)] else {
                    return OffsetFetchResponse.Partition(partitionIndex: index, committedOffset: -1, metadata: "")
                }
                return OffsetFetchResponse.Partition(partitionIndex: index, committedOffset: offset.offset,
                                                     committedLeaderEpoch: offset.leaderEpoch ?? -1, metadata: offset.metadata)
            })
        }
        return OffsetFetchResponse(topics: topics)
    }
}
