import Basalt
import BasaltKafka
import NIOCore

extension Broker {
    /// Produce: each partition's batch is checked (one v2 batch, CRC, size, producer
    /// sequence) and appended as the client encoded it; only its base offset and leader
    /// epoch are rewritten. Partitions of one request are appended concurrently, so under
    /// the every-append policy they share `fdatasync`s.
    ///
    /// acks=0 gets no response (and a failed append closes the connection, as Kafka does);
    /// acks=1 answers once the batch is in the log; acks=all once it is durable under the
    /// topic's policy (synced now unless the policy is `os`) on a single copy, and once every
    /// in-sync replica has it on a replicated partition.
    ///
    /// Versions 0–2 carry message sets of magic 0 or 1, which are not stored: every
    /// partition answers UNSUPPORTED_FOR_MESSAGE_FORMAT and nothing is appended.
    func produce(_ request: ProduceRequest, header: RequestHeader) async -> RequestOutcome {
        func refuseAll(_ code: KafkaErrorCode) -> ProduceResponse {
            ProduceResponse(responses: request.topicData.map { topic in
                ProduceResponse.TopicResponse(name: topic.name, partitionResponses: topic.partitionData.map {
                    .init(index: $0.index, errorCode: code, baseOffset: -1)
                })
            })
        }
        guard request.acks == 0 || request.acks == 1 || request.acks == -1 else {
            return respond(.produce(refuseAll(.invalidRequiredAcks)), to: header)
        }
        guard header.apiVersion >= 3 else {
            if request.acks == 0 { return .close(reason: "Produce v\(header.apiVersion) (message format before v2) with acks=0") }
            return respond(.produce(refuseAll(.unsupportedForMessageFormat)), to: header)
        }
        var jobs: [(topicIndex: Int, name: String, data: ProduceRequest.PartitionData)] = []
        for (topicIndex, topic) in request.topicData.enumerated() {
            for data in topic.partitionData { jobs.append((topicIndex, topic.name, data)) }
        }
        let waitForDurability = request.acks == -1
        var results = [ProduceResponse.PartitionResponse?](repeating: nil, count: jobs.count)
        if jobs.count == 1 {
            results[0] = await appendPartition(topic: jobs[0].name, data: jobs[0].data, durable: waitForDurability, timeoutMs: request.timeoutMs)
        } else {
            await withTaskGroup(of: (Int, ProduceResponse.PartitionResponse).self) { group in
                for (index, job) in jobs.enumerated() {
                    group.addTask {
                        (index, await self.appendPartition(topic: job.name, data: job.data, durable: waitForDurability, timeoutMs: request.timeoutMs))
                    }
                }
                for await (index, result) in group { results[index] = result }
            }
        }
        if request.acks == 0 {
            if let failed = results.first(where: { $0?.errorCode != .noError }), let failed {
                return .close(reason: "acks=0 produce failed with \(failed.errorCode) on partition \(failed.index)")
            }
            return .noResponse
        }
        var responses = request.topicData.map { ProduceResponse.TopicResponse(name: $0.name, partitionResponses: []) }
        for (index, job) in jobs.enumerated() {
            if let result = results[index] { responses[job.topicIndex].partitionResponses.append(result) }
        }
        return respond(.produce(ProduceResponse(responses: responses)), to: header)
    }

    private func appendPartition(
        topic name: String, data: ProduceRequest.PartitionData, durable: Bool, timeoutMs: Int32
    ) async -> ProduceResponse.PartitionResponse {
        func failure(_ code: KafkaErrorCode, _ message: String? = nil) -> ProduceResponse.PartitionResponse {
            if code != .noError { metrics.recordProduceError(topic: name, code: code) }
            return .init(index: data.index, errorCode: code, baseOffset: -1, errorMessage: message.map(Self.errorMessage))
        }
        let topic: Topic
        switch lookupTopic(name, create: true) {
        case .found(let found): topic = found
        case .failed(let code): return failure(code)
        }
        guard let log = try? topic.partition(data.index) else { return failure(.unknownTopicOrPartition) }
        let partition = TopicPartition(topic: name, partition: data.index)
        let leaderEpoch: Int32
        switch leadership(partition, log: log, requestEpoch: -1) {
        case .refused(let code):
            return failure(code)
        case .leader(let epoch, let inSync):
            leaderEpoch = epoch
            // Kafka checks the ISR before appending an acks=all batch (NOT_ENOUGH_REPLICAS);
            // one that shrinks while the batch waits is NOT_ENOUGH_REPLICAS_AFTER_APPEND.
            if durable, let cluster, inSync < replicationSettings(of: name, cluster: cluster).minInSyncReplicas {
                return failure(.notEnoughReplicas, "\(inSync) in-sync replicas")
            }
        }
        guard let records = data.records, records.readableBytes >= RecordBatchHeader.size else {
            return failure(.corruptMessage, "records shorter than a batch header")
        }
        guard records.readableBytes <= log.config.maxMessageBytes else {
            return failure(.messageTooLarge, "batch of \(records.readableBytes) bytes exceeds max.message.bytes \(log.config.maxMessageBytes)")
        }
        let bytes = Array(records.readableBytesView)
        let header: RecordBatchHeader
        do {
            header = try bytes.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }
        } catch {
            return failure(.corruptMessage)
        }
        guard header.magic == 2 else { return failure(.unsupportedForMessageFormat, "only record batch v2 is supported") }
        // Produce v3+ carries exactly one batch per partition (Kafka: INVALID_RECORD).
        guard header.totalSize >= RecordBatchHeader.size, header.totalSize <= bytes.count else {
            return failure(.corruptMessage, "batch length does not match the bytes sent")
        }
        guard header.totalSize == bytes.count else { return failure(.invalidRecord, "more than one batch for a partition") }
        // The counts are checked here, before the producer table does arithmetic with them;
        // the append checks them again, with the CRC.
        do {
            try header.validate(available: bytes.count)
        } catch {
            return failure(.corruptMessage, "\(error)")
        }
        guard !header.isTransactional, !header.isControl else {
            return failure(.invalidTxnState, "transactions are not supported")
        }
        // The leader epoch (not covered by the CRC) is stamped by the log's append, with the
        // epoch this replica leads in.
        var reservation: ProducerStateTable.Reservation?
        var table: ProducerStateTable?
        if header.producerId >= 0 {
            let loaded: ProducerStateTable
            do {
                loaded = try producerStates.table(for: partition, log: log)
            } catch {
                logger.error("cannot load producer state: \(error)", metadata: ["partition": "\(partition)"])
                return failure(.kafkaStorageError)
            }
            table = loaded
            let lastSequence = ProducerStateTable.lastSequence(first: header.baseSequence, lastOffsetDelta: header.lastOffsetDelta)
            var verdict = loaded.check(producerId: header.producerId, epoch: header.producerEpoch,
                                       firstSequence: header.baseSequence, lastSequence: lastSequence)
            // A retry racing its own original: wait for the original to land, then answer
            // as a duplicate.
            var waited = 0
            while verdict == .inFlight, waited < 30_000 {
                try? await Task.sleep(for: .milliseconds(2))
                waited += 2
                verdict = loaded.check(producerId: header.producerId, epoch: header.producerEpoch,
                                       firstSequence: header.baseSequence, lastSequence: lastSequence)
            }
            switch verdict {
            case .append(let reserved):
                reservation = reserved
            case .duplicate(let firstOffset, _):
                metrics.recordDuplicateBatch(topic: name)
                return .init(index: data.index, baseOffset: firstOffset, logStartOffset: log.logStartOffset)
            case .inFlight:
                return failure(.requestTimedOut)
            case .outOfOrder(let expected):
                return failure(.outOfOrderSequenceNumber, "expected sequence \(expected), got \(header.baseSequence)")
            case .invalidEpoch(let current):
                return failure(.invalidProducerEpoch, "producer epoch \(header.producerEpoch) is older than \(current)")
            case .unknownProducer:
                return failure(.unknownProducerId)
            }
        }

        let result: AppendResult
        do {
            result = try await log.append(encodedBatch: bytes)
        } catch let error as BasaltError {
            if let reservation { table?.cancel(reservation) }
            if case .io = error { logger.error("append failed: \(error)", metadata: ["partition": "\(partition)"]) }
            return failure(error.kafkaErrorCode, error.description)
        } catch {
            if let reservation { table?.cancel(reservation) }
            return failure(.unknownServerError)
        }
        if let reservation { table?.complete(reservation, firstOffset: result.baseOffset, lastOffset: result.lastOffset) }
        cluster?.replicas.leaderAppended(partition, log: log)
        metrics.recordProduce(topic: name, bytes: bytes.count, records: Int(header.recordsCount))

        // acks=all on one copy means synced to disk; on a replicated partition it means on
        // every in-sync replica, as in Kafka, and the leader syncs on its usual interval.
        // Syncing here too would put an fdatasync in series with every replication round trip.
        let replicated = (cluster?.replicas.assignment(partition)?.replicas.count ?? 1) > 1
        if durable, !replicated, case .interval = log.config.durability, log.durableOffset <= result.lastOffset {
            do {
                try await blockingPool.runIfActive { try log.flush() }
            } catch {
                logger.error("flush failed: \(error)", metadata: ["partition": "\(partition)"])
                return failure(.kafkaStorageError, "\(error)")
            }
        }
        if durable, let cluster {
            let code = await cluster.replicas.awaitCommit(
                partition, log: log, lastOffset: result.lastOffset, epoch: leaderEpoch,
                minInSyncReplicas: replicationSettings(of: name, cluster: cluster).minInSyncReplicas,
                timeout: .milliseconds(max(Int(timeoutMs), 0)))
            if code != .noError { return failure(code) }
        }
        return .init(index: data.index, baseOffset: result.baseOffset, logStartOffset: log.logStartOffset)
    }

    /// The replication settings of topic `name` in the cluster's view.
    func replicationSettings(of name: String, cluster: ClusterNode) -> ReplicationSettings {
        ReplicationSettings(configs: cluster.metadata.view.topics[name]?.configs ?? [:], defaults: cluster.configuration)
    }
}
