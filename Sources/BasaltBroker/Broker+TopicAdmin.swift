import Basalt
import BasaltKafka
import Glibc

/// CreatePartitions, DeleteRecords, AlterConfigs, IncrementalAlterConfigs and
/// DescribeLogDirs: changing topics that exist.
extension Broker {
    // MARK: - CreatePartitions

    /// Grows topics. One node: a manual assignment is accepted only when it is the one
    /// possible (each new partition on this broker alone). Cluster: see
    /// ``ClusterNode/addPartitions(_:count:assignment:validateOnly:timeout:)``.
    func createPartitions(_ request: CreatePartitionsRequest) async -> CreatePartitionsResponse {
        var seen: [String: Int] = [:]
        for topic in request.topics { seen[topic.name, default: 0] += 1 }
        var results: [CreatePartitionsResponse.Result] = []
        results.reserveCapacity(request.topics.count)
        for asked in request.topics {
            func failure(_ code: KafkaErrorCode, _ message: String) -> CreatePartitionsResponse.Result {
                .init(name: asked.name, errorCode: code, errorMessage: Self.errorMessage(message))
            }
            guard seen[asked.name] == 1 else {
                results.append(failure(.invalidRequest, "topic \(asked.name) appears more than once"))
                continue
            }
            guard asked.count > 0, asked.count <= Self.maxPartitionCount else {
                results.append(failure(.invalidPartitions, "partition count must be in 1...\(Self.maxPartitionCount), got \(asked.count)"))
                continue
            }
            if let cluster {
                let assignment = asked.assignments.map { $0.map(\.brokerIds) }
                let outcome = await cluster.addPartitions(asked.name, count: asked.count, assignment: assignment,
                                                          validateOnly: request.validateOnly,
                                                          timeout: .milliseconds(max(Int(request.timeoutMs), 0)))
                results.append(outcome.code == .noError ? .init(name: asked.name)
                               : failure(outcome.code, outcome.message ?? "\(outcome.code)"))
                continue
            }
            guard let topic = try? store.topic(asked.name) else {
                results.append(failure(.unknownTopicOrPartition, "unknown topic \(asked.name)"))
                continue
            }
            guard asked.count > topic.partitionCount else {
                results.append(failure(.invalidPartitions,
                                       "topic \(asked.name) has \(topic.partitionCount) partitions; the new count must be larger, got \(asked.count)"))
                continue
            }
            if let assignments = asked.assignments {
                let added = Int(asked.count - topic.partitionCount)
                guard assignments.count == added, assignments.allSatisfy({ $0.brokerIds == [configuration.nodeId] }) else {
                    results.append(failure(.invalidReplicaAssignment,
                                           "this broker is a single node: each of the \(added) new partitions can only be on broker \(configuration.nodeId)"))
                    continue
                }
            }
            if request.validateOnly {
                results.append(.init(name: asked.name))
                continue
            }
            do {
                // Off the request tasks: a directory, three files and syncs per partition.
                let (name, count) = (asked.name, asked.count)
                _ = try await blockingPool.runIfActive { [store] in try store.addPartitions(to: name, count: count) }
                logger.info("added partitions", metadata: ["topic": "\(asked.name)", "partitions": "\(asked.count)"])
                results.append(.init(name: asked.name))
            } catch let error as BasaltError {
                results.append(failure(error.kafkaErrorCode, error.description))
            } catch {
                results.append(failure(.unknownServerError, "\(error)"))
            }
        }
        return CreatePartitionsResponse(results: results)
    }

    /// The most partitions a topic may have (the store's limit).
    static let maxPartitionCount: Int32 = 10_000

    // MARK: - DeleteRecords

    /// Moves each partition's log start offset up to the offset asked (−1: the high
    /// watermark) and answers the new low watermark. In a cluster only the leader does it;
    /// followers follow from the log start offset in its Fetch responses.
    func deleteRecords(_ request: DeleteRecordsRequest) async -> DeleteRecordsResponse {
        // Off the request tasks: each partition writes and syncs its checkpoint.
        (try? await blockingPool.runIfActive { self.deleteRecordsNow(request) })
            ?? DeleteRecordsResponse(topics: request.topics.map { asked in
                .init(name: asked.name, partitions: asked.partitions.map {
                    .init(partitionIndex: $0.partitionIndex, lowWatermark: -1, errorCode: .kafkaStorageError)
                })
            })
    }

    private func deleteRecordsNow(_ request: DeleteRecordsRequest) -> DeleteRecordsResponse {
        let topics = request.topics.map { asked -> DeleteRecordsResponse.Topic in
            let topic = try? store.topic(asked.name)
            let partitions = asked.partitions.map { partition -> DeleteRecordsResponse.Partition in
                func failure(_ code: KafkaErrorCode) -> DeleteRecordsResponse.Partition {
                    .init(partitionIndex: partition.partitionIndex, lowWatermark: -1, errorCode: code)
                }
                guard let log = try? topic?.partition(partition.partitionIndex) else { return failure(.unknownTopicOrPartition) }
                if let cluster {
                    let id = TopicPartition(topic: asked.name, partition: partition.partitionIndex)
                    guard case .leader = cluster.replicas.leaderCheck(id) else { return failure(.notLeaderOrFollower) }
                }
                let offset = partition.offset == -1 ? log.highWatermark : partition.offset
                guard offset >= 0 else { return failure(.offsetOutOfRange) }
                do {
                    try log.deleteRecords(before: offset)
                    return .init(partitionIndex: partition.partitionIndex, lowWatermark: log.logStartOffset)
                } catch let error as BasaltError {
                    return failure(error.kafkaErrorCode)
                } catch {
                    return failure(.unknownServerError)
                }
            }
            return .init(name: asked.name, partitions: partitions)
        }
        return DeleteRecordsResponse(topics: topics)
    }

    // MARK: - AlterConfigs, IncrementalAlterConfigs

    /// AlterConfigs: each topic's dynamic configs become exactly the ones given (a null
    /// value is left out); broker resources are refused (``alterBrokerConfigs``).
    func alterConfigs(_ request: AlterConfigsRequest) async -> AlterConfigsResponse {
        var results: [AlterConfigsResponse.Result] = []
        for resource in request.resources {
            let outcome = await alterResource(type: resource.resourceType, name: resource.resourceName,
                                              validateOnly: request.validateOnly) { overrides throws(TopicConfigEditError) in
                var replaced = TopicConfigOverrides()
                for config in resource.configs {
                    guard replaced.values[config.name] == nil else { throw .invalidRequest("\(config.name) appears more than once") }
                    if let value = config.value { replaced.values[config.name] = value }
                }
                overrides = replaced
            }
            results.append(.init(errorCode: outcome.code, errorMessage: outcome.message.map(Self.errorMessage),
                                 resourceType: resource.resourceType, resourceName: resource.resourceName))
        }
        return AlterConfigsResponse(responses: results)
    }

    /// IncrementalAlterConfigs: SET, DELETE (back to the default), APPEND and SUBTRACT
    /// (list settings only) on each topic's dynamic configs.
    func incrementalAlterConfigs(_ request: IncrementalAlterConfigsRequest) async -> IncrementalAlterConfigsResponse {
        var results: [IncrementalAlterConfigsResponse.Result] = []
        let defaults = topicDefaults
        for resource in request.resources {
            let outcome = await alterResource(type: resource.resourceType, name: resource.resourceName,
                                              validateOnly: request.validateOnly) { overrides throws(TopicConfigEditError) in
                var names = Set<String>()
                for config in resource.configs {
                    guard names.insert(config.name).inserted else {
                        throw .invalidRequest("\(config.name) appears more than once")
                    }
                    let known = resource.resourceType == 4 ? Set(BrokerDynamicSettings.topicSettingNames.keys) : Self.knownTopicSettings
                    guard known.contains(config.name) else {
                        throw .invalidConfig("unknown \(resource.resourceType == 4 ? "dynamic broker" : "topic") setting \(config.name)")
                    }
                    try overrides.edit(operation: config.operation, name: config.name, value: config.value, defaults: defaults)
                }
            }
            results.append(.init(errorCode: outcome.code, errorMessage: outcome.message.map(Self.errorMessage),
                                 resourceType: resource.resourceType, resourceName: resource.resourceName))
        }
        return IncrementalAlterConfigsResponse(responses: results)
    }

    /// The topic settings a client may name: the ones DescribeConfigs lists and the
    /// durability aliases.
    static let knownTopicSettings: Set<String> = Set(TopicSettings.describe(LogConfig()).map(\.name))
        .union(TopicConfigOverrides.durabilityNames).union(["unclean.leader.election.enable"])

    /// Applies `edit` to the dynamic configs of one resource, validates the result and,
    /// unless `validateOnly`, makes it durable and live.
    private func alterResource(
        type: Int8, name: String, validateOnly: Bool,
        _ edit: (inout TopicConfigOverrides) throws(TopicConfigEditError) -> Void
    ) async -> ClusterNode.TopicOutcome {
        switch type {
        case 2:
            break
        case 4:
            return alterBrokerSettings(name: name, validateOnly: validateOnly, edit)
        default:
            return .init(code: .invalidRequest, message: "unsupported resource type \(type)")
        }
        let defaults = topicDefaults
        var overrides: TopicConfigOverrides
        if let cluster {
            guard let record = cluster.metadata.view.topics[name] else {
                return .init(code: .unknownTopicOrPartition, message: "unknown topic \(name)")
            }
            overrides = TopicConfigOverrides(record.configs)
        } else {
            guard let topic = try? store.topic(name) else { return .init(code: .unknownTopicOrPartition, message: "unknown topic \(name)") }
            overrides = TopicConfigOverrides(derivedFrom: topic.config, defaults: defaults)
        }
        do throws(TopicConfigEditError) {
            try edit(&overrides)
        } catch {
            switch error {
            case .invalidConfig(let message): return .init(code: .invalidConfig, message: message)
            case .invalidRequest(let message): return .init(code: .invalidRequest, message: message)
            }
        }
        let config: LogConfig
        do throws(TopicSettingsError) {
            config = try overrides.logConfig(defaults: defaults, replicated: cluster != nil)
        } catch {
            return .init(code: .invalidConfig, message: error.description)
        }
        if validateOnly { return .init(code: .noError) }
        if let cluster {
            return await cluster.alterTopicConfigs(name, configs: overrides.values)
        }
        do {
            // Off the request tasks: the topic file is synced, retention may delete files.
            try await blockingPool.runIfActive { [store] in
                let topic = try store.updateTopicConfig(name, config: config)
                // Lower limits take effect now, not at the next retention check.
                for log in topic.partitions { _ = try? log.enforceRetention() }
            }
            logger.info("changed topic settings", metadata: ["topic": "\(name)", "settings": "\(overrides.values.sorted { $0.key < $1.key })"])
            return .init(code: .noError)
        } catch let error as BasaltError {
            return .init(code: error.kafkaErrorCode, message: error.description)
        } catch {
            return .init(code: .unknownServerError, message: "\(error)")
        }
    }

    /// The topic defaults in force: the properties file's, under the dynamic broker
    /// settings on a single node.
    var topicDefaults: LogConfig {
        cluster == nil ? dynamicSettings.current.topicDefaults : configuration.defaultTopicConfig
    }

    /// AlterConfigs and IncrementalAlterConfigs on this broker (resource type 4, named by
    /// its id or "" for the default): the dynamic settings of ``BrokerDynamicSettings``.
    /// Once written, every topic that followed an old default follows the new one (its
    /// own settings stay), as in Kafka. Single node only: a cluster's brokers share topic
    /// records whose defaults would then differ from broker to broker.
    private func alterBrokerSettings(
        name: String, validateOnly: Bool, _ edit: (inout TopicConfigOverrides) throws(TopicConfigEditError) -> Void
    ) -> ClusterNode.TopicOutcome {
        guard cluster == nil else {
            return .init(code: .invalidRequest, message: "broker settings are not dynamic in cluster mode; set them in the properties file")
        }
        guard name.isEmpty || name == String(configuration.nodeId) else {
            return .init(code: .invalidRequest, message: "this is broker \(configuration.nodeId), not \(name)")
        }
        var values = TopicConfigOverrides(dynamicSettings.current.values)
        do throws(TopicConfigEditError) {
            try edit(&values)
        } catch {
            switch error {
            case .invalidConfig(let message): return .init(code: .invalidConfig, message: message)
            case .invalidRequest(let message): return .init(code: .invalidRequest, message: message)
            }
        }
        let next: BrokerDynamicSettings.State
        do throws(TopicSettingsError) {
            next = try dynamicSettings.validate(values.values)
        } catch {
            return .init(code: .invalidConfig, message: error.description)
        }
        if validateOnly { return .init(code: .noError) }
        let previous: BrokerDynamicSettings.State
        do {
            previous = try dynamicSettings.replace(with: next)
        } catch {
            return .init(code: .kafkaStorageError, message: "\(error)")
        }
        logger.info("changed dynamic broker settings", metadata: ["settings": "\(next.values.sorted { $0.key < $1.key })"])
        for topicName in store.topicNames {
            guard let topic = try? store.topic(topicName) else { continue }
            let own = TopicConfigOverrides(derivedFrom: topic.config, defaults: previous.topicDefaults)
            do {
                let config = try own.logConfig(defaults: next.topicDefaults, replicated: false)
                guard config != topic.config else { continue }
                let changed = try store.updateTopicConfig(topicName, config: config)
                for log in changed.partitions { _ = try? log.enforceRetention() }
            } catch {
                logger.error("cannot apply the new broker defaults to a topic", metadata: ["topic": "\(topicName)", "error": "\(error)"])
            }
        }
        return .init(code: .noError)
    }

    /// The dynamic broker settings as DescribeConfigs lists them: 2 (DYNAMIC_BROKER_CONFIG)
    /// when set, else the properties file's value as 5 (DEFAULT_CONFIG).
    func describedDynamicBrokerSettings() -> [(name: String, value: String, source: Int8)] {
        let current = dynamicSettings.current
        let defaults = Dictionary(TopicSettings.describe(configuration.defaultTopicConfig).map { ($0.name, $0.value) },
                                  uniquingKeysWith: { first, _ in first })
        return BrokerDynamicSettings.topicSettingNames.sorted { $0.key < $1.key }.map { name, topicName in
            if cluster == nil, let value = current.values[name] { return (name, value, 2) }
            return (name, defaults[topicName] ?? "", 5)
        }
    }

    /// A topic's settings as DescribeConfigs lists them, each with its source: 1
    /// (DYNAMIC_TOPIC_CONFIG) when set on the topic, 5 (DEFAULT_CONFIG) otherwise. In a
    /// cluster they come from the topic's record in etcd, `min.insync.replicas` included.
    /// Nil for an unknown topic.
    func describedTopicSettings(_ name: String) -> [(name: String, value: String, source: Int8)]? {
        let defaults = topicDefaults
        let overrides: TopicConfigOverrides
        var entries: [(name: String, value: String)]
        if let cluster {
            guard let record = cluster.metadata.view.topics[name] else { return nil }
            overrides = TopicConfigOverrides(record.configs)
            let config = (try? overrides.logConfig(defaults: defaults, replicated: true)) ?? defaults
            let replication = ReplicationSettings(configs: record.configs, defaults: cluster.configuration)
            entries = TopicSettings.describe(config).map {
                $0.name == "min.insync.replicas" ? ($0.name, String(replication.minInSyncReplicas)) : $0
            }
        } else {
            guard let topic = try? store.topic(name) else { return nil }
            overrides = TopicConfigOverrides(derivedFrom: topic.config, defaults: defaults)
            entries = TopicSettings.describe(topic.config)
        }
        return entries.map { ($0.name, $0.value, overrides.isSet($0.name) ? 1 : 5) }
    }

    // MARK: - DescribeLogDirs

    /// One log directory, the data directory, with the size of each partition asked (all
    /// when the request names none) and, from v4, its volume's size and free space.
    func describeLogDirs(_ request: DescribeLogDirsRequest) -> DescribeLogDirsResponse {
        var wanted: [(String, [Int32]?)] = []
        if let asked = request.topics {
            wanted = asked.map { ($0.topic, $0.partitions) }
        } else {
            wanted = store.topicNames.map { ($0, nil) }
        }
        var topics: [DescribeLogDirsResponse.Topic] = []
        for (name, numbers) in wanted {
            guard let topic = try? store.topic(name) else { continue }
            let logs = numbers.map { $0.compactMap { number in (try? topic.partition(number)).map { (number, $0) } } }
                ?? topic.partitions.enumerated().map { (Int32($0.offset), $0.element) }
            guard !logs.isEmpty else { continue }
            topics.append(.init(name: name, partitions: logs.map { number, log in
                .init(partitionIndex: number, partitionSize: log.sizeInBytes, offsetLag: 0, isFutureKey: false)
            }))
        }
        let directory = Self.absolutePath(configuration.dataDirectory)
        var volume = statvfs()
        let (total, usable): (Int64, Int64) = statvfs(directory, &volume) == 0
            ? (Int64(volume.f_blocks) * Int64(volume.f_frsize), Int64(volume.f_bavail) * Int64(volume.f_frsize)) : (-1, -1)
        return DescribeLogDirsResponse(results: [
            .init(logDir: directory, topics: topics, totalBytes: total, usableBytes: usable),
        ])
    }

    /// `path` made absolute (Kafka names log directories by absolute path).
    static func absolutePath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
