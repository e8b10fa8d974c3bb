import Basalt
import BasaltKafka
import NIOCore

extension Broker {
    /// Fetch with long poll: answers at once when `min_bytes` are available or a
    /// partition has an error, else parks on the store's ``DataSignal`` until one of its
    /// partitions changes (an append through any path, a high watermark move, a
    /// truncation, a leadership change) and brings enough, or `max_wait_ms` passes. The records go out with `sendfile`
    /// straight from the segment files (``FetchResponseEncoder``).
    ///
    /// A consumer needs Read on each topic, a follower (replica id ≥ 0) ClusterAction on the
    /// cluster; refused partitions answer TOPIC_AUTHORIZATION_FAILED and nothing is read from them.
    func fetch(_ request: FetchRequest, header: RequestHeader, access: RequestAccess) async -> RequestOutcome {
        let version = header.apiVersion
        let denied: Set<String>
        if !access.isChecking {
            denied = []
        } else if request.replicaId >= 0 {
            denied = access.allows(.clusterAction, .cluster) ? [] : Set(request.topics.map(\.topic))
        } else {
            denied = Set(request.topics.map(\.topic).filter { !access.allowsTopic(.read, $0) })
        }
        // Sessions are never created (we answer session id 0), so any other id is stale.
        if version >= 7, request.sessionId != 0 {
            let response = FetchResponse(errorCode: .fetchSessionIdNotFound, sessionId: 0, responses: [])
            return respond(.fetch(response), to: header)
        }
        let waitMs = min(max(Int(request.maxWaitMs), 0), configuration.maxFetchWaitMs)
        let deadline = ContinuousClock.now + .milliseconds(waitMs)
        // A follower's fetch offset is its log end: recorded once per request, it moves the
        // high watermark and keeps the follower in the ISR.
        var followerErrors: [TopicPartition: KafkaErrorCode]?
        if let cluster, request.replicaId >= 0 {
            var errors: [TopicPartition: KafkaErrorCode] = [:]
            for topic in request.topics where !denied.contains(topic.topic) {
                guard let found = try? store.topic(topic.topic) else { continue }
                for asked in topic.partitions {
                    guard let log = try? found.partition(asked.partition) else { continue }
                    let id = TopicPartition(topic: topic.topic, partition: asked.partition)
                    errors[id] = cluster.replicas.followerFetched(
                        id, replica: request.replicaId, fetchOffset: asked.fetchOffset, requestEpoch: asked.currentLeaderEpoch, log: log)
                }
            }
            followerErrors = errors
        }
        let requestedPartitions = request.topics.reduce(0) { $0 + $1.partitions.count }
        while true {
            // Marked before the look, so a change between the look and the wait wakes it.
            let logs = requestedLogs(request)
            let mark = store.signal.mark(logs)
            let plan = planFetch(request, version: version, followerErrors: followerErrors, denied: denied)
            if plan.recordBytes >= Int(request.minBytes) || plan.hasError || ContinuousClock.now >= deadline || isDraining {
                for (topic, bytes) in plan.bytesByTopic { metrics.recordFetch(topic: topic, bytes: bytes) }
                do {
                    return .respond(try FetchResponseEncoder.encode(plan.topics, correlationId: header.correlationId, version: version))
                } catch {
                    return unencodable(error, api: .fetch)
                }
            }
            // A partition absent when the logs were gathered but present for the plan (its
            // topic was created in between) is not marked: look again rather than park.
            guard logs.count == requestedPartitions else { continue }
            await store.signal.wait(for: logs, since: mark, until: deadline)
        }
    }

    /// The logs of the partitions `request` names that exist now, in request order.
    private func requestedLogs(_ request: FetchRequest) -> [PartitionLog] {
        var logs: [PartitionLog] = []
        for requested in request.topics {
            guard let topic = try? store.topic(requested.topic) else { continue }
            for asked in requested.partitions {
                if let log = try? topic.partition(asked.partition) { logs.append(log) }
            }
        }
        return logs
    }

    /// Reads what the request asks for, within its size limits, as slices of segment files:
    /// up to the high watermark for consumers, up to the log end for followers
    /// (`followerErrors` holds each followed partition's leadership check).
    private func planFetch(_ request: FetchRequest, version: Int16, followerErrors: [TopicPartition: KafkaErrorCode]?,
                           denied: Set<String>) -> FetchPlan {
        var plan = FetchPlan()
        var remaining = max(Int(request.maxBytes), 0)
        for requested in request.topics {
            if denied.contains(requested.topic) {
                plan.hasError = true
                plan.topics.append((requested.topic, requested.partitions.map { .failed($0.partition, .topicAuthorizationFailed) }))
                continue
            }
            let topic = try? store.topic(requested.topic)
            var partitions: [FetchPlan.Partition] = []
            partitions.reserveCapacity(requested.partitions.count)
            for asked in requested.partitions {
                guard let topic, let log = try? topic.partition(asked.partition) else {
                    plan.hasError = true
                    partitions.append(.failed(asked.partition, .unknownTopicOrPartition))
                    continue
                }
                let id = TopicPartition(topic: requested.topic, partition: asked.partition)
                let refusal: KafkaErrorCode?
                if let followerErrors {
                    let code = followerErrors[id] ?? .notLeaderOrFollower
                    refusal = code == .noError ? nil : code
                } else if case .refused(let code) = leadership(id, log: log, requestEpoch: asked.currentLeaderEpoch) {
                    refusal = code
                } else {
                    refusal = nil
                }
                if let refusal {
                    plan.hasError = true
                    partitions.append(.failed(asked.partition, refusal))
                    continue
                }
                // Read the bounds first: the slices never go past the end read here.
                let highWatermark = log.highWatermark
                let logStartOffset = log.logStartOffset
                var slices: [LogSlice] = []
                let budget = min(max(Int(asked.partitionMaxBytes), 0), remaining)
                // KIP-74: the first batch of the first partition with data goes out even
                // when it is larger than the limits, so a consumer can always progress.
                let isFirstWithData = plan.recordBytes == 0
                if budget > 0 || isFirstWithData {
                    do {
                        slices = try log.read(from: asked.fetchOffset, maxBytes: max(budget, 1),
                                              isolation: followerErrors == nil ? .highWatermark : .logEnd)
                    } catch let error as BasaltError {
                        plan.hasError = true
                        if case .offsetOutOfRange = error {} else {
                            logger.error("fetch read failed: \(error)", metadata: ["topic": "\(requested.topic)", "partition": "\(asked.partition)"])
                        }
                        partitions.append(.failed(asked.partition, error.kafkaErrorCode, highWatermark: highWatermark,
                                                  logStartOffset: logStartOffset))
                        continue
                    } catch {
                        plan.hasError = true
                        partitions.append(.failed(asked.partition, .unknownServerError))
                        continue
                    }
                }
                var bytes = slices.reduce(0) { $0 + $1.length }
                if bytes > budget && !isFirstWithData {
                    slices = []
                    bytes = 0
                }
                // Fetch v0–3 read message sets of magic 0/1: the batches are converted in
                // memory, so they cannot go out with sendfile.
                var converted: [UInt8]?
                if version < 4, !slices.isEmpty {
                    do {
                        let messages = try downConverted(slices, from: asked.fetchOffset, version: version, budget: budget,
                                                         firstWithData: isFirstWithData)
                        converted = messages
                        bytes = messages.count
                        slices = []
                    } catch {
                        plan.hasError = true
                        let code = (error as? BasaltError)?.kafkaErrorCode ?? .unknownServerError
                        if code != .unsupportedCompressionType {
                            logger.error("fetch down-conversion failed: \(error)", metadata: ["topic": "\(requested.topic)", "partition": "\(asked.partition)"])
                        }
                        partitions.append(.failed(asked.partition, code, highWatermark: highWatermark, logStartOffset: logStartOffset))
                        continue
                    }
                }
                remaining = max(remaining - bytes, 0)
                plan.recordBytes += bytes
                if bytes > 0 { plan.bytesByTopic[requested.topic, default: 0] += bytes }
                partitions.append(FetchPlan.Partition(index: asked.partition, errorCode: .noError, highWatermark: highWatermark,
                                                      logStartOffset: logStartOffset, slices: slices, converted: converted))
            }
            plan.topics.append((requested.topic, partitions))
        }
        return plan
    }
}

/// What one pass over a Fetch request found.
struct FetchPlan {
    struct Partition {
        var index: Int32
        var errorCode: KafkaErrorCode
        var highWatermark: Int64
        var logStartOffset: Int64
        var slices: [LogSlice]
        /// Messages down-converted for Fetch v0–3, sent instead of `slices`.
        var converted: [UInt8]? = nil

        static func failed(_ index: Int32, _ code: KafkaErrorCode, highWatermark: Int64 = -1, logStartOffset: Int64 = -1) -> Partition {
            Partition(index: index, errorCode: code, highWatermark: highWatermark, logStartOffset: logStartOffset, slices: [])
        }
    }

    var topics: [(name: String, partitions: [Partition])] = []
    var recordBytes = 0
    var hasError = false
    var bytesByTopic: [String: Int] = [:]
}
