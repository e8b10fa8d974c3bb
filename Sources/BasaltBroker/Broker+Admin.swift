import Basalt
import BasaltKafka

extension Broker {
    /// CreateTopics: replication factor must be −1 or 1 and manual assignments are
    /// refused (one node); settings go through ``TopicSettings``.
    func createTopics(_ request: CreateTopicsRequest) -> CreateTopicsResponse {
        let topics = request.topics.map { asked -> CreateTopicsResponse.Topic in
            func failure(_ code: KafkaErrorCode, _ message: String) -> CreateTopicsResponse.Topic {
                .init(name: asked.name, errorCode: code, errorMessage: Self.errorMessage(message))
            }
            do {
                try NameRules.validateTopic(asked.name)
            } catch {
                return failure(.invalidTopic, "\(error)")
            }
            if (try? store.topic(asked.name)) != nil { return failure(.topicAlreadyExists, "topic \(asked.name) already exists") }
            guard asked.replicationFactor == -1 || asked.replicationFactor == 1 else {
                return failure(.invalidReplicationFactor, "this broker is a single node: replication factor must be 1")
            }
            guard asked.assignments.isEmpty else {
                return failure(.invalidRequest, "manual replica assignment is not supported")
            }
            let partitions = asked.numPartitions == -1 ? configuration.defaultPartitions : asked.numPartitions
            guard partitions > 0, partitions <= 10_000 else {
                return failure(.invalidPartitions, "partition count must be in 1...10000")
            }
            let config: LogConfig
            do throws(TopicSettingsError) {
                config = try TopicSettings.apply(asked.configs.map { ($0.name, $0.value) }, to: topicDefaults)
            } catch {
                return failure(.invalidConfig, error.description)
            }
            if request.validateOnly { return .init(name: asked.name) }
            do {
                try store.createTopic(asked.name, partitions: partitions, config: config)
                logger.info("created topic", metadata: ["topic": "\(asked.name)", "partitions": "\(partitions)"])
                return .init(name: asked.name)
            } catch let error as BasaltError {
                return failure(error.kafkaErrorCode, error.description)
            } catch {
                return failure(.unknownServerError, "\(error)")
            }
        }
        return CreateTopicsResponse(topics: topics)
    }

    /// DeleteTopics: removes the data and every group's commits for the topic.
    func deleteTopics(_ request: DeleteTopicsRequest) -> DeleteTopicsResponse {
        let results = request.topicNames.map { name -> DeleteTopicsResponse.Result in
            do {
                try store.deleteTopic(name)
                producerStates.forget(topic: name)
                logger.info("deleted topic", metadata: ["topic": "\(name)"])
                return .init(name: name)
            } catch let error as BasaltError {
                return .init(name: name, errorCode: error.kafkaErrorCode)
            } catch {
                return .init(name: name, errorCode: .unknownServerError)
            }
        }
        return DeleteTopicsResponse(responses: results)
    }

    /// DescribeConfigs for topics (type 2) and this broker (type 4).
    func describeConfigs(_ request: DescribeConfigsRequest, version: Int16) -> DescribeConfigsResponse {
        let results = request.resources.map { resource -> DescribeConfigsResponse.Result in
            let entries: [(name: String, value: String, source: Int8)]
            switch resource.resourceType {
            case 2:
                guard let described = describedTopicSettings(resource.resourceName) else {
                    return .init(errorCode: .unknownTopicOrPartition, errorMessage: "unknown topic",
                                 resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [])
                }
                entries = described
            case 4:
                // Source 5: DEFAULT_CONFIG for the read-only ones; the dynamic ones say
                // where their value comes from.
                entries = (brokerSettings().map { ($0.name, $0.value, 5) } + describedDynamicBrokerSettings())
                    .sorted { $0.name < $1.name }
            default:
                return .init(errorCode: .invalidRequest, errorMessage: "unsupported resource type \(resource.resourceType)",
                             resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [])
            }
            let wanted = resource.configurationKeys.map(Set.init)
            let configs = entries.filter { wanted?.contains($0.name) ?? true }.map {
                // v0 has no source, only whether the value is the default.
                DescribeConfigsResponse.Config(name: $0.name, value: $0.value,
                                               readOnly: resource.resourceType == 4 && BrokerDynamicSettings.topicSettingNames[$0.name] == nil,
                                               isDefault: version == 0 && $0.source == 5, configSource: version == 0 ? -1 : $0.source)
            }
            return .init(resourceType: resource.resourceType, resourceName: resource.resourceName, configs: configs)
        }
        return DescribeConfigsResponse(results: results)
    }

    private func brokerSettings() -> [(name: String, value: String)] {
        [
            ("auto.create.topics.enable", String(configuration.autoCreateTopics)),
            ("broker.id", String(configuration.nodeId)),
            ("group.initial.rebalance.delay.ms", String(configuration.groupInitialRebalanceDelayMs)),
            ("group.max.session.timeout.ms", String(configuration.groupMaxSessionTimeoutMs)),
            ("group.min.session.timeout.ms", String(configuration.groupMinSessionTimeoutMs)),
            ("log.dirs", configuration.dataDirectory),
            ("num.partitions", String(configuration.defaultPartitions)),
            ("socket.request.max.bytes", String(configuration.maxRequestBytes)),
        ]
    }

    /// InitProducerId for idempotent producers: a fresh id, epoch 0. Transactional ids
    /// are refused, since transactions are not supported.
    func initProducerId(_ request: InitProducerIdRequest) async -> InitProducerIdResponse {
        guard request.transactionalId == nil else {
            // Transactions are not supported (``findCoordinator(_:)``): a fatal error for the client.
            return InitProducerIdResponse(errorCode: .transactionalIdAuthorizationFailed, producerId: -1, producerEpoch: -1)
        }
        // KIP-360: a producer that knows its id asks for the next epoch to reset its
        // sequences (librdkafka does after a timed-out batch).
        if request.producerId >= 0, request.producerEpoch >= 0, request.producerEpoch < Int16.max - 1 {
            return InitProducerIdResponse(producerId: request.producerId, producerEpoch: request.producerEpoch + 1)
        }
        do {
            // In a cluster ids come from etcd, so no two brokers hand out the same one.
            let id = try await cluster?.producerIds.next() ?? producerIds.next()
            return InitProducerIdResponse(producerId: id, producerEpoch: 0)
        } catch {
            logger.error("cannot allocate a producer id: \(error)")
            return InitProducerIdResponse(errorCode: .kafkaStorageError, producerId: -1, producerEpoch: -1)
        }
    }
}
