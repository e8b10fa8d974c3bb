@testable import BasaltKafka

/// Random requests whose fields absent in `version` hold the defaults decoding produces, so
/// `decode(encode(value)) == value` must hold exactly.
extension Gen {
    mutating func request(_ api: ApiKey, version v: Int16) -> KafkaRequest {
        switch api {
        case .apiVersions:
            return .apiVersions(
                v >= 3 ? ApiVersionsRequest(clientSoftwareName: str(), clientSoftwareVersion: str()) : ApiVersionsRequest())
        case .metadata:
            var topics: [String]? = v >= 1 ? narray { $0.str() } : strs()
            if v == 0, topics == nil { topics = [] }
            return .metadata(
                MetadataRequest(
                    topics: topics,
                    allowAutoTopicCreation: v >= 4 ? bool() : true,
                    includeClusterAuthorizedOperations: v >= 8 ? bool() : false,
                    includeTopicAuthorizedOperations: v >= 8 ? bool() : false))
        case .produce:
            let topics = array { g in
                ProduceRequest.TopicData(
                    name: g.str(),
                    partitionData: g.array { g in ProduceRequest.PartitionData(index: g.i32(), records: g.nbytes()) })
            }
            return .produce(ProduceRequest(transactionalId: v >= 3 ? nstr() : nil, acks: i16(), timeoutMs: i32(), topicData: topics))
        case .fetch:
            let topics = array { g in
                FetchRequest.Topic(
                    topic: g.str(),
                    partitions: g.array { g in
                        FetchRequest.Partition(
                            partition: g.i32(),
                            currentLeaderEpoch: v >= 9 ? g.i32() : -1,
                            fetchOffset: g.i64(),
                            logStartOffset: v >= 5 ? g.i64() : -1,
                            partitionMaxBytes: g.i32())
                    })
            }
            let forgotten = v >= 7 ? array { g in FetchRequest.ForgottenTopic(topic: g.str(), partitions: g.i32s()) } : []
            return .fetch(
                FetchRequest(
                    replicaId: i32(), maxWaitMs: i32(), minBytes: i32(), maxBytes: v >= 3 ? i32() : Int32.max,
                    isolationLevel: v >= 4 ? i8() : 0,
                    sessionId: v >= 7 ? i32() : 0, sessionEpoch: v >= 7 ? i32() : -1,
                    topics: topics, forgottenTopicsData: forgotten, rackId: v >= 11 ? str() : ""))
        case .listOffsets:
            let topics = array { g in
                ListOffsetsRequest.Topic(
                    name: g.str(),
                    partitions: g.array { g in
                        ListOffsetsRequest.Partition(
                            partitionIndex: g.i32(), currentLeaderEpoch: v >= 4 ? g.i32() : -1, timestamp: g.i64(),
                            maxNumOffsets: v == 0 ? g.i32() : 1)
                    })
            }
            return .listOffsets(ListOffsetsRequest(replicaId: i32(), isolationLevel: v >= 2 ? i8() : 0, topics: topics))
        case .findCoordinator:
            return .findCoordinator(FindCoordinatorRequest(key: str(), keyType: v >= 1 ? i8() : 0))
        case .offsetCommit:
            let topics = array { g in
                OffsetCommitRequest.Topic(
                    name: g.str(),
                    partitions: g.array { g in
                        OffsetCommitRequest.Partition(
                            partitionIndex: g.i32(), committedOffset: g.i64(),
                            committedLeaderEpoch: v >= 6 ? g.i32() : -1, commitTimestamp: v == 1 ? g.i64() : -1,
                            committedMetadata: g.nstr())
                    })
            }
            return .offsetCommit(
                OffsetCommitRequest(
                    groupId: str(), generationId: v >= 1 ? i32() : -1, memberId: v >= 1 ? str() : "",
                    groupInstanceId: v >= 7 ? nstr() : nil, retentionTimeMs: v >= 2 && v <= 4 ? i64() : -1, topics: topics))
        case .offsetFetch:
            let make = { (g: inout Gen) in OffsetFetchRequest.Topic(name: g.str(), partitionIndexes: g.i32s()) }
            let topics = v >= 2 ? narray(make) : array(make)
            return .offsetFetch(OffsetFetchRequest(groupId: str(), topics: topics))
        case .joinGroup:
            let protocols = array { g in JoinGroupRequest.GroupProtocol(name: g.str(), metadata: g.bytes()) }
            return .joinGroup(
                JoinGroupRequest(
                    groupId: str(), sessionTimeoutMs: i32(), rebalanceTimeoutMs: v >= 1 ? i32() : -1,
                    memberId: str(), groupInstanceId: v >= 5 ? nstr() : nil, protocolType: str(),
                    protocols: protocols))
        case .syncGroup:
            let assignments = array { g in SyncGroupRequest.Assignment(memberId: g.str(), assignment: g.bytes()) }
            return .syncGroup(
                SyncGroupRequest(
                    groupId: str(), generationId: i32(), memberId: str(),
                    groupInstanceId: v >= 3 ? nstr() : nil, assignments: assignments))
        case .heartbeat:
            return .heartbeat(
                HeartbeatRequest(
                    groupId: str(), generationId: i32(), memberId: str(), groupInstanceId: v >= 3 ? nstr() : nil))
        case .leaveGroup:
            return .leaveGroup(LeaveGroupRequest(groupId: str(), memberId: str()))
        case .createTopics:
            let topics = array { g in
                CreateTopicsRequest.Topic(
                    name: g.str(), numPartitions: g.i32(), replicationFactor: g.i16(),
                    assignments: g.array { g in
                        CreateTopicsRequest.Assignment(partitionIndex: g.i32(), brokerIds: g.i32s())
                    },
                    configs: g.array { g in CreateTopicsRequest.Config(name: g.str(), value: g.nstr()) })
            }
            return .createTopics(
                CreateTopicsRequest(topics: topics, timeoutMs: i32(), validateOnly: v >= 1 ? bool() : false))
        case .deleteTopics:
            return .deleteTopics(DeleteTopicsRequest(topicNames: strs(), timeoutMs: i32()))
        case .initProducerId:
            return .initProducerId(
                InitProducerIdRequest(
                    transactionalId: nstr(), transactionTimeoutMs: i32(),
                    producerId: v >= 3 ? i64() : -1, producerEpoch: v >= 3 ? i16() : -1))
        case .offsetForLeaderEpoch:
            let topics = array { g in
                OffsetForLeaderEpochRequest.Topic(
                    topic: g.str(),
                    partitions: g.array { g in
                        OffsetForLeaderEpochRequest.Partition(
                            partition: g.i32(), currentLeaderEpoch: v >= 2 ? g.i32() : -1, leaderEpoch: g.i32())
                    })
            }
            return .offsetForLeaderEpoch(OffsetForLeaderEpochRequest(replicaId: v >= 3 ? i32() : -2, topics: topics))
        case .describeConfigs:
            let resources = array { g in
                DescribeConfigsRequest.Resource(
                    resourceType: g.i8(), resourceName: g.str(), configurationKeys: g.narray { $0.str() })
            }
            return .describeConfigs(
                DescribeConfigsRequest(resources: resources, includeSynonyms: v >= 1 ? bool() : false))
        case .describeAcls:
            return .describeAcls(DescribeAclsRequest(filter: aclFilter(version: v)))
        case .createAcls:
            let creations = array { g in
                CreateAclsRequest.Creation(
                    resourceType: g.i8(), resourceName: g.str(), patternType: v >= 1 ? g.i8() : 3, principal: g.str(),
                    host: g.str(), operation: g.i8(), permissionType: g.i8())
            }
            return .createAcls(CreateAclsRequest(creations: creations))
        case .deleteAcls:
            return .deleteAcls(DeleteAclsRequest(filters: array { g in DeleteAclsRequest.Filter(g.aclFilter(version: v)) }))
        case .describeGroups:
            return .describeGroups(DescribeGroupsRequest(groups: strs(), includeAuthorizedOperations: v >= 3 ? bool() : false))
        case .listGroups:
            return .listGroups(ListGroupsRequest(statesFilter: v >= 4 ? strs() : [], typesFilter: v >= 5 ? strs() : []))
        case .deleteGroups:
            return .deleteGroups(DeleteGroupsRequest(groupsNames: strs()))
        case .offsetDelete:
            return .offsetDelete(OffsetDeleteRequest(
                groupId: str(), topics: array { g in OffsetDeleteRequest.Topic(name: g.str(), partitionIndexes: g.i32s()) }))
        case .describeCluster:
            return .describeCluster(DescribeClusterRequest(includeClusterAuthorizedOperations: bool(), endpointType: v >= 1 ? i8() : 1))
        case .describeProducers:
            return .describeProducers(DescribeProducersRequest(
                topics: array { g in DescribeProducersRequest.Topic(name: g.str(), partitionIndexes: g.i32s()) }))
        case .deleteRecords:
            let topics = array { g in
                DeleteRecordsRequest.Topic(
                    name: g.str(), partitions: g.array { g in DeleteRecordsRequest.Partition(partitionIndex: g.i32(), offset: g.i64()) })
            }
            return .deleteRecords(DeleteRecordsRequest(topics: topics, timeoutMs: i32()))
        case .alterConfigs:
            let resources = array { g in
                AlterConfigsRequest.Resource(
                    resourceType: g.i8(), resourceName: g.str(),
                    configs: g.array { g in AlterConfigsRequest.Config(name: g.str(), value: g.nstr()) })
            }
            return .alterConfigs(AlterConfigsRequest(resources: resources, validateOnly: bool()))
        case .describeLogDirs:
            return .describeLogDirs(
                DescribeLogDirsRequest(topics: narray { g in DescribeLogDirsRequest.Topic(topic: g.str(), partitions: g.i32s()) }))
        case .createPartitions:
            let topics = array { g in
                CreatePartitionsRequest.Topic(
                    name: g.str(), count: g.i32(),
                    assignments: g.narray { g in CreatePartitionsRequest.Assignment(brokerIds: g.i32s()) })
            }
            return .createPartitions(CreatePartitionsRequest(topics: topics, timeoutMs: i32(), validateOnly: bool()))
        case .incrementalAlterConfigs:
            let resources = array { g in
                IncrementalAlterConfigsRequest.Resource(
                    resourceType: g.i8(), resourceName: g.str(),
                    configs: g.array { g in
                        IncrementalAlterConfigsRequest.Config(name: g.str(), operation: g.i8(), value: g.nstr())
                    })
            }
            return .incrementalAlterConfigs(IncrementalAlterConfigsRequest(resources: resources, validateOnly: bool()))
        case .saslHandshake:
            return .saslHandshake(SaslHandshakeRequest(mechanism: str()))
        case .saslAuthenticate:
            return .saslAuthenticate(SaslAuthenticateRequest(authBytes: bytes()))
        case .describeUserScramCredentials:
            return .describeUserScramCredentials(DescribeUserScramCredentialsRequest(users: narray { $0.str() }))
        case .alterUserScramCredentials:
            return .alterUserScramCredentials(AlterUserScramCredentialsRequest(
                deletions: array { g in .init(name: g.str(), mechanism: g.i8()) },
                upsertions: array { g in
                    .init(name: g.str(), mechanism: g.i8(), iterations: g.i32(), salt: g.bytes(), saltedPassword: g.bytes())
                }))
        }
    }

    mutating func aclFilter(version v: Int16) -> AclFilterFields {
        AclFilterFields(
            resourceType: i8(), resourceName: nstr(), patternType: v >= 1 ? i8() : 3, principal: nstr(), host: nstr(),
            operation: i8(), permissionType: i8())
    }
}
