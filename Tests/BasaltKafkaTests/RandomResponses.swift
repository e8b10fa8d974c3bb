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
                            lastStableOffset: g.i64(), logStartOffset: v >= 5 ? g.i64() : -1,
                            abortedTransactions: g.narray { g in
                                FetchResponse.AbortedTransaction(producerId: g.i64(), firstOffset: g.i64())
                            },
                            preferredReadReplica: v >= 11 ? g.i32() : -1, records: g.nbytes())
                    })
            }
            return .fetch(
                FetchResponse(
                    throttleTimeMs: i32(), errorCode: v >= 7 ? error() : .noError, sessionId: v >= 7 ? i32() : 0,
                    responses: responses))
        case .listOffsets:
            let topics = array { g in
                ListOffsetsResponse.Topic(
                    name: g.str(),
                    partitions: g.array { g in
                        ListOffsetsResponse.Partition(
                            partitionIndex: g.i32(), errorCode: g.error(), timestamp: g.i64(), offset: g.i64(),
                            leaderEpoch: v >= 4 ? g.i32() : -1)
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
                            errorCode: g.error(), partition: g.i32(), leaderEpoch: g.i32(), endOffset: g.i64())
                    })
            }
            return .offsetForLeaderEpoch(OffsetForLeaderEpochResponse(throttleTimeMs: i32(), topics: topics))
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
