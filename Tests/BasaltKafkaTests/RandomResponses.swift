@testable import BasaltKafka

/// Random responses whose fields absent in `version` hold the defaults decoding produces.
extension Gen {
    mutating func response(_ api: ApiKey, version v: Int16) -> KafkaResponse {
        switch api {
        case .apiVersions:
            let keys = array { g in
                ApiVersionsResponse.ApiVersion(apiKey: g.i16(), minVersion: g.i16(), maxVersion: g.i16())
            }
            return .apiVersions(
                ApiVersionsResponse(errorCode: error(), apiKeys: keys, throttleTimeMs: v >= 1 ? i32() : 0))
        case .metadata:
            let brokers = array { g in
                MetadataResponse.Broker(nodeId: g.i32(), host: g.str(), port: g.i32(), rack: v >= 1 ? g.nstr() : nil)
            }
            let topics = array { g in
                MetadataResponse.Topic(
                    errorCode: g.error(), name: g.str(), isInternal: v >= 1 ? g.bool() : false,
                    partitions: g.array { g in
                        MetadataResponse.Partition(
                            errorCode: g.error(), partitionIndex: g.i32(), leaderId: g.i32(),
                            leaderEpoch: v >= 7 ? g.i32() : -1, replicaNodes: g.i32s(), isrNodes: g.i32s(),
                            offlineReplicas: v >= 5 ? g.i32s() : [])
                    },
                    topicAuthorizedOperations: v >= 8 ? g.i32() : Int32.min)
            }
            return .metadata(
                MetadataResponse(
                    throttleTimeMs: v >= 3 ? i32() : 0, brokers: brokers, clusterId: v >= 2 ? nstr() : nil,
                    controllerId: v >= 1 ? i32() : -1, topics: topics,
                    clusterAuthorizedOperations: v >= 8 ? i32() : Int32.min))
        case .produce:
            let responses = array { g in
                ProduceResponse.TopicResponse(
                    name: g.str(),
                    partitionResponses: g.array { g in
                        ProduceResponse.PartitionResponse(
                            index: g.i32(), errorCode: g.error(), baseOffset: g.i64(), logAppendTimeMs: v >= 2 ? g.i64() : -1,
                            logStartOffset: v >= 5 ? g.i64() : -1,
                            recordErrors: v >= 8
                                ? g.array { g in
                                    ProduceResponse.RecordError(batchIndex: g.i32(), batchIndexErrorMessage: g.nstr())
                                } : [],
                            errorMessage: v >= 8 ? g.nstr() : nil)
                    })
            }
            return .produce(ProduceResponse(responses: responses, throttleTimeMs: v >= 1 ? i32() : 0))
        case .fetch:
            let responses = array { g in
                FetchResponse.Topic(
                    topic: g.str(),
                    partitions: g.array { g in
                        FetchResponse.Partition(
                            partitionIndex: g.i32(), errorCode: g.error(), highWatermark: g.i64(),
                            lastStableOffset: v >= 4 ? g.i64() : -1, logStartOffset: v >= 5 ? g.i64() : -1,
                            abortedTransactions: v >= 4
                                ? g.narray { g in
                                    FetchResponse.AbortedTransaction(producerId: g.i64(), firstOffset: g.i64())
                                } : nil,
                            preferredReadReplica: v >= 11 ? g.i32() : -1, records: g.nbytes())
                    })
            }
            return .fetch(
                FetchResponse(
                    throttleTimeMs: v >= 1 ? i32() : 0, errorCode: v >= 7 ? error() : .noError, sessionId: v >= 7 ? i32() : 0,
                    responses: responses))
        case .listOffsets:
            let topics = array { g in
                ListOffsetsResponse.Topic(
                    name: g.str(),
                    partitions: g.array { g in
                        ListOffsetsResponse.Partition(
                            partitionIndex: g.i32(), errorCode: g.error(), timestamp: v >= 1 ? g.i64() : -1,
                            offset: v >= 1 ? g.i64() : -1, leaderEpoch: v >= 4 ? g.i32() : -1,
                            oldStyleOffsets: v == 0 ? g.array { g in g.i64() } : [])
                    })
            }
            return .listOffsets(ListOffsetsResponse(throttleTimeMs: v >= 2 ? i32() : 0, topics: topics))
        case .findCoordinator:
            return .findCoordinator(
                FindCoordinatorResponse(
                    throttleTimeMs: v >= 1 ? i32() : 0, errorCode: error(), errorMessage: v >= 1 ? nstr() : nil,
                    nodeId: i32(), host: str(), port: i32()))
        case .offsetCommit:
            let topics = array { g in
                OffsetCommitResponse.Topic(
                    name: g.str(),
                    partitions: g.array { g in
                        OffsetCommitResponse.Partition(partitionIndex: g.i32(), errorCode: g.error())
                    })
            }
            return .offsetCommit(OffsetCommitResponse(throttleTimeMs: v >= 3 ? i32() : 0, topics: topics))
        case .offsetFetch:
            let topics = array { g in
                OffsetFetchResponse.Topic(
                    name: g.str(),
                    partitions: g.array { g in
                        OffsetFetchResponse.Partition(
                            partitionIndex: g.i32(), committedOffset: g.i64(),
                            committedLeaderEpoch: v >= 5 ? g.i32() : -1, metadata: g.nstr(), errorCode: g.error())
                    })
            }
            return .offsetFetch(
                OffsetFetchResponse(
                    throttleTimeMs: v >= 3 ? i32() : 0, topics: topics, errorCode: v >= 2 ? error() : .noError))
        case .joinGroup:
            let members = array { g in
                JoinGroupResponse.Member(
                    memberId: g.str(), groupInstanceId: v >= 5 ? g.nstr() : nil, metadata: g.bytes())
            }
            return .joinGroup(
                JoinGroupResponse(
                    throttleTimeMs: v >= 2 ? i32() : 0, errorCode: error(), generationId: i32(),
                    protocolName: str(), leader: str(), memberId: str(), members: members))
        case .syncGroup:
            return .syncGroup(
                SyncGroupResponse(throttleTimeMs: v >= 1 ? i32() : 0, errorCode: error(), assignment: bytes()))
        case .heartbeat:
            return .heartbeat(HeartbeatResponse(throttleTimeMs: v >= 1 ? i32() : 0, errorCode: error()))
        case .leaveGroup:
            return .leaveGroup(LeaveGroupResponse(throttleTimeMs: v >= 1 ? i32() : 0, errorCode: error()))
        case .createTopics:
            let topics = array { g in
                CreateTopicsResponse.Topic(
                    name: g.str(), errorCode: g.error(), errorMessage: v >= 1 ? g.nstr() : nil)
            }
            return .createTopics(CreateTopicsResponse(throttleTimeMs: v >= 2 ? i32() : 0, topics: topics))
        case .deleteTopics:
            let results = array { g in DeleteTopicsResponse.Result(name: g.str(), errorCode: g.error()) }
            return .deleteTopics(DeleteTopicsResponse(throttleTimeMs: v >= 1 ? i32() : 0, responses: results))
        case .initProducerId:
            return .initProducerId(
                InitProducerIdResponse(throttleTimeMs: i32(), errorCode: error(), producerId: i64(), producerEpoch: i16()))
        case .offsetForLeaderEpoch:
            let topics = array { g in
                OffsetForLeaderEpochResponse.Topic(
                    topic: g.str(),
                    partitions: g.array { g in
                        OffsetForLeaderEpochResponse.Partition(
                            errorCode: g.error(), partition: g.i32(), leaderEpoch: v >= 1 ? g.i32() : -1, endOffset: g.i64())
                    })
            }
            return .offsetForLeaderEpoch(OffsetForLeaderEpochResponse(throttleTimeMs: v >= 2 ? i32() : 0, topics: topics))
        case .describeConfigs:
            let results = array { g in
                DescribeConfigsResponse.Result(
                    errorCode: g.error(), errorMessage: g.nstr(), resourceType: g.i8(), resourceName: g.str(),
                    configs: g.array { g in
                        DescribeConfigsResponse.Config(
                            name: g.str(), value: g.nstr(), readOnly: g.bool(), isDefault: v == 0 ? g.bool() : false,
                            configSource: v >= 1 ? g.i8() : -1, isSensitive: g.bool(),
                            synonyms: v >= 1
                                ? g.array { g in
                                    DescribeConfigsResponse.Synonym(name: g.str(), value: g.nstr(), source: g.i8())
                                } : [])
                    })
            }
            return .describeConfigs(DescribeConfigsResponse(throttleTimeMs: i32(), results: results))
        case .describeAcls:
            let resources = array { g in
                DescribeAclsResponse.Resource(
                    resourceType: g.i8(), resourceName: g.str(), patternType: v >= 1 ? g.i8() : 3,
                    acls: g.array { g in
                        DescribeAclsResponse.Acl(principal: g.str(), host: g.str(), operation: g.i8(), permissionType: g.i8())
                    })
            }
            return .describeAcls(
                DescribeAclsResponse(throttleTimeMs: i32(), errorCode: error(), errorMessage: nstr(), resources: resources))
        case .createAcls:
            return .createAcls(
                CreateAclsResponse(throttleTimeMs: i32(), results: array { g in
                    CreateAclsResponse.Result(errorCode: g.error(), errorMessage: g.nstr())
                }))
        case .deleteAcls:
            let results = array { g in
                DeleteAclsResponse.FilterResult(
                    errorCode: g.error(), errorMessage: g.nstr(),
                    matchingAcls: g.array { g in
                        DeleteAclsResponse.MatchingAcl(
                            errorCode: g.error(), errorMessage: g.nstr(), resourceType: g.i8(), resourceName: g.str(),
                            patternType: v >= 1 ? g.i8() : 3, principal: g.str(), host: g.str(), operation: g.i8(),
                            permissionType: g.i8())
                    })
            }
            return .deleteAcls(DeleteAclsResponse(throttleTimeMs: i32(), filterResults: results))
        case .describeGroups:
            let groups = array { g in
                DescribeGroupsResponse.Group(
                    errorCode: g.error(), groupId: g.str(), groupState: g.str(), protocolType: g.str(), protocolData: g.str(),
                    members: g.array { g in
                        DescribeGroupsResponse.Member(
                            memberId: g.str(), groupInstanceId: v >= 4 ? g.nstr() : nil, clientId: g.str(), clientHost: g.str(),
                            memberMetadata: g.bytes(), memberAssignment: g.bytes())
                    },
                    authorizedOperations: v >= 3 ? g.i32() : Int32.min)
            }
            return .describeGroups(DescribeGroupsResponse(throttleTimeMs: v >= 1 ? i32() : 0, groups: groups))
        case .listGroups:
            let groups = array { g in
                ListGroupsResponse.Group(
                    groupId: g.str(), protocolType: g.str(), groupState: v >= 4 ? g.str() : "", groupType: v >= 5 ? g.str() : "")
            }
            return .listGroups(ListGroupsResponse(throttleTimeMs: v >= 1 ? i32() : 0, errorCode: error(), groups: groups))
        case .deleteGroups:
            return .deleteGroups(DeleteGroupsResponse(
                throttleTimeMs: i32(), results: array { g in DeleteGroupsResponse.Result(groupId: g.str(), errorCode: g.error()) }))
        case .offsetDelete:
            let topics = array { g in
                OffsetDeleteResponse.Topic(
                    name: g.str(),
                    partitions: g.array { g in OffsetDeleteResponse.Partition(partitionIndex: g.i32(), errorCode: g.error()) })
            }
            return .offsetDelete(OffsetDeleteResponse(errorCode: error(), throttleTimeMs: i32(), topics: topics))
        case .describeCluster:
            return .describeCluster(DescribeClusterResponse(
                throttleTimeMs: i32(), errorCode: error(), errorMessage: nstr(), endpointType: v >= 1 ? i8() : 1,
                clusterId: str(), controllerId: i32(),
                brokers: array { g in DescribeClusterResponse.Broker(brokerId: g.i32(), host: g.str(), port: g.i32(), rack: g.nstr()) },
                clusterAuthorizedOperations: i32()))
        case .describeProducers:
            let topics = array { g in
                DescribeProducersResponse.Topic(
                    name: g.str(),
                    partitions: g.array { g in
                        DescribeProducersResponse.Partition(
                            partitionIndex: g.i32(), errorCode: g.error(), errorMessage: g.nstr(),
                            activeProducers: g.array { g in
                                DescribeProducersResponse.Producer(
                                    producerId: g.i64(), producerEpoch: g.i32(), lastSequence: g.i32(), lastTimestamp: g.i64(),
                                    coordinatorEpoch: g.i32(), currentTxnStartOffset: g.i64())
                            })
                    })
            }
            return .describeProducers(DescribeProducersResponse(throttleTimeMs: i32(), topics: topics))
        case .deleteRecords:
            let topics = array { g in
                DeleteRecordsResponse.Topic(
                    name: g.str(),
                    partitions: g.array { g in
                        DeleteRecordsResponse.Partition(partitionIndex: g.i32(), lowWatermark: g.i64(), errorCode: g.error())
                    })
            }
            return .deleteRecords(DeleteRecordsResponse(throttleTimeMs: i32(), topics: topics))
        case .alterConfigs:
            let responses = array { g in
                AlterConfigsResponse.Result(errorCode: g.error(), errorMessage: g.nstr(), resourceType: g.i8(), resourceName: g.str())
            }
            return .alterConfigs(AlterConfigsResponse(throttleTimeMs: i32(), responses: responses))
        case .incrementalAlterConfigs:
            let responses = array { g in
                IncrementalAlterConfigsResponse.Result(
                    errorCode: g.error(), errorMessage: g.nstr(), resourceType: g.i8(), resourceName: g.str())
            }
            return .incrementalAlterConfigs(IncrementalAlterConfigsResponse(throttleTimeMs: i32(), responses: responses))
        case .createPartitions:
            let results = array { g in CreatePartitionsResponse.Result(name: g.str(), errorCode: g.error(), errorMessage: g.nstr()) }
            return .createPartitions(CreatePartitionsResponse(throttleTimeMs: i32(), results: results))
        case .describeLogDirs:
            let results = array { g in
                DescribeLogDirsResponse.Result(
                    errorCode: g.error(), logDir: g.str(),
                    topics: g.array { g in
                        DescribeLogDirsResponse.Topic(
                            name: g.str(),
                            partitions: g.array { g in
                                DescribeLogDirsResponse.Partition(
                                    partitionIndex: g.i32(), partitionSize: g.i64(), offsetLag: g.i64(), isFutureKey: g.bool())
                            })
                    },
                    totalBytes: v >= 4 ? g.i64() : -1, usableBytes: v >= 4 ? g.i64() : -1)
            }
            return .describeLogDirs(
                DescribeLogDirsResponse(throttleTimeMs: i32(), errorCode: v >= 3 ? error() : .noError, results: results))
        case .saslHandshake:
            return .saslHandshake(SaslHandshakeResponse(errorCode: error(), mechanisms: strs()))
        case .saslAuthenticate:
            return .saslAuthenticate(
                SaslAuthenticateResponse(errorCode: error(), errorMessage: nstr(), authBytes: bytes(),
                                         sessionLifetimeMs: v >= 1 ? i64() : 0))
        case .describeUserScramCredentials:
            return .describeUserScramCredentials(DescribeUserScramCredentialsResponse(
                throttleTimeMs: i32(), errorCode: error(), errorMessage: nstr(),
                results: array { g in
                    .init(user: g.str(), errorCode: g.error(), errorMessage: g.nstr(),
                          credentialInfos: g.array { g in .init(mechanism: g.i8(), iterations: g.i32()) })
                }))
        case .alterUserScramCredentials:
            return .alterUserScramCredentials(AlterUserScramCredentialsResponse(
                throttleTimeMs: i32(), results: array { g in .init(user: g.str(), errorCode: g.error(), errorMessage: g.nstr()) }))
        }
    }
}
