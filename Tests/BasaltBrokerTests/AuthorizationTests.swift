import Basalt
@testable import BasaltBroker
import BasaltKafka
import Foundation
import Logging
import NIOCore
import Testing

/// Every API's authorisation check, through ``Broker/handle(frame:connection:)`` with a
/// ``ConnectionInfo`` carrying the principal (what TLS or SASL will set), and the effect on the
/// store checked directly: a denied produce writes nothing, a denied commit commits nothing.
@Suite(.serialized) struct AuthorizationTests {
    static let admin = KafkaPrincipal(name: "admin")
    static let alice = KafkaPrincipal(name: "alice")
    static let mallory = KafkaPrincipal(name: "mallory")

    /// A broker with the authorizer on, `User:admin` a super user, in its own directory.
    final class Harness: Sendable {
        let broker: Broker
        let directory: String

        init(directory: String? = nil, adjust: (inout BrokerConfiguration) -> Void = { _ in }) throws {
            let directory = directory ?? NSTemporaryDirectory() + "basalt-acl-" + UUID().uuidString
            var configuration = BrokerConfiguration()
            configuration.dataDirectory = directory
            configuration.logger = Logger(label: "test.acl")
            configuration.logger.logLevel = .critical
            configuration.groupInitialRebalanceDelayMs = 0
            configuration.authorization.enabled = true
            configuration.authorization.superUsers = [AuthorizationTests.admin]
            adjust(&configuration)
            self.directory = directory
            broker = try Broker(configuration: configuration)
        }

        /// Sends `request` as `principal` from `peer` and decodes the answer (nil: no response).
        func send(_ request: KafkaRequest, version: Int16, as principal: KafkaPrincipal,
                  peer: String = "[IPv4]10.0.0.1/10.0.0.1:40000") async throws -> KafkaResponse? {
            var frame = ByteBuffer()
            try request.encodeFrame(header: RequestHeader(apiKey: request.apiKey, apiVersion: version, correlationId: 5,
                                                          clientId: "acl-test"), into: &frame)
            frame.moveReaderIndex(forwardBy: 4)
            let outcome = await broker.handle(frame: frame, connection: ConnectionInfo(id: 1, peer: peer, principal: principal))
            switch outcome {
            case .noResponse: return nil
            case .close(let reason): throw HarnessError.closed(reason)
            case .respond(let response):
                var bytes = ByteBuffer()
                for part in response.parts {
                    guard case .bytes(let buffer) = part else { throw HarnessError.fileSlice }
                    bytes.writeImmutableBuffer(buffer)
                }
                bytes.moveReaderIndex(forwardBy: 4)
                return try KafkaResponse.decode(frame: &bytes, apiKey: request.apiKey, version: version).1
            }
        }

        func createAcls(_ bindings: [AclBinding]) async throws {
            let response = try await send(.createAcls(CreateAclsRequest(creations: bindings.map(\.creation))), version: 1, as: admin)
            guard case .createAcls(let body) = response else { throw HarnessError.unexpected("\(String(describing: response))") }
            #expect(body.results.allSatisfy { $0.errorCode == .noError }, "\(body)")
        }

        func createTopic(_ name: String) async throws {
            let response = try await send(.createTopics(CreateTopicsRequest(topics: [.init(name: name, numPartitions: 1)], timeoutMs: 1000)),
                                          version: 2, as: admin)
            guard case .createTopics(let body) = response else { throw HarnessError.unexpected("\(String(describing: response))") }
            #expect(body.topics.first?.errorCode == .noError)
        }

        func logEnd(_ topic: String) -> Int64? { try? broker.store.topic(topic).partition(0).logEndOffset }

        func close() {
            try? broker.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    enum HarnessError: Error { case closed(String), fileSlice, unexpected(String) }

    static func allow(_ name: String, _ principal: KafkaPrincipal, _ operation: AclOperation, type: AclResourceType = .topic,
                      pattern: AclPatternType = .literal, host: String = "*") -> AclBinding {
        AclBinding(resourceType: type, resourceName: name, patternType: pattern, principal: principal.description, host: host,
                   operation: operation, permission: .allow)
    }

    static func produce(_ topic: String) throws -> KafkaRequest { BadInputTests.produce(topic, try BadInputTests.batch(records: 2)) }

    @Test func produceNeedsWriteAndDeniedWritesNothing() async throws {
        let harness = try Harness()
        defer { harness.close() }
        try await harness.createTopic("allowed")
        try await harness.createTopic("denied")
        try await harness.createAcls([Self.allow("allow", Self.alice, .write, pattern: .prefixed)])
        #expect(BadInputTests.produceError(try #require(await harness.send(try Self.produce("allowed"), version: 7, as: Self.alice))) == .noError)
        #expect(harness.logEnd("allowed") == 2)
        #expect(BadInputTests.produceError(try #require(await harness.send(try Self.produce("denied"), version: 7, as: Self.alice)))
                == .topicAuthorizationFailed)
        #expect(harness.logEnd("denied") == 0)
        // acks=0 refused: the connection closes, and nothing is written.
        await #expect(throws: HarnessError.self) {
            try await harness.send(BadInputTests.produce("denied", try BadInputTests.batch(), acks: 0), version: 7, as: Self.alice)
        }
        #expect(harness.logEnd("denied") == 0)
        // Write allowed but no Create: a missing topic is not auto-created.
        #expect(BadInputTests.produceError(try #require(await harness.send(try Self.produce("allow-new"), version: 7, as: Self.alice)))
                == .unknownTopicOrPartition)
        #expect((try? harness.broker.store.topic("allow-new")) == nil)
        // With Create on the topic it is.
        try await harness.createAcls([Self.allow("allow-new", Self.alice, .create)])
        #expect(BadInputTests.produceError(try #require(await harness.send(try Self.produce("allow-new"), version: 7, as: Self.alice))) == .noError)
        // A super user writes anywhere.
        #expect(BadInputTests.produceError(try #require(await harness.send(try Self.produce("denied"), version: 7, as: Self.admin))) == .noError)
    }

    @Test func fetchNeedsReadAndDeniedReadsNothing() async throws {
        let harness = try Harness()
        defer { harness.close() }
        try await harness.createTopic("t")
        _ = try await harness.send(try Self.produce("t"), version: 7, as: Self.admin)
        try await harness.createAcls([Self.allow("t", Self.alice, .describe)])
        let fetch = KafkaRequest.fetch(FetchRequest(maxWaitMs: 0, minBytes: 1, topics: [
            .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
        ]))
        let response = try #require(await harness.send(fetch, version: 11, as: Self.alice))
        guard case .fetch(let body) = response else { Issue.record("\(response)"); return }
        #expect(body.responses.first?.partitions.first?.errorCode == .topicAuthorizationFailed)
        #expect(body.responses.first?.partitions.first?.records == nil || body.responses.first?.partitions.first?.records?.readableBytes == 0)
        // A follower fetch (replica id ≥ 0) needs ClusterAction, not Read.
        let follower = KafkaRequest.fetch(FetchRequest(replicaId: 1, maxWaitMs: 0, minBytes: 1, topics: [
            .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]),
        ]))
        try await harness.createAcls([Self.allow("t", Self.alice, .read)])
        guard case .fetch(let followerBody) = try #require(await harness.send(follower, version: 11, as: Self.alice)) else { return }
        #expect(followerBody.responses.first?.partitions.first?.errorCode == .topicAuthorizationFailed)
    }

    @Test func metadataHidesTopicsThePrincipalMayNotDescribe() async throws {
        let harness = try Harness()
        defer { harness.close() }
        for name in ["visible", "hidden"] { try await harness.createTopic(name) }
        try await harness.createAcls([Self.allow("visible", Self.alice, .read)])
        guard case .metadata(let all) = try #require(await harness.send(.metadata(MetadataRequest(topics: nil)), version: 8, as: Self.alice))
        else { return }
        #expect(all.topics.map(\.name) == ["visible"])
        guard case .metadata(let named) = try #require(await harness.send(.metadata(MetadataRequest(topics: ["hidden", "visible"])),
                                                                          version: 8, as: Self.alice)) else { return }
        #expect(named.topics.map(\.errorCode) == [.topicAuthorizationFailed, .noError])
        // Describe but no Create: a missing topic is not auto-created by Metadata.
        try await harness.createAcls([Self.allow("new", Self.alice, .describe)])
        guard case .metadata(let missing) = try #require(await harness.send(.metadata(MetadataRequest(topics: ["new"])), version: 8,
                                                                            as: Self.alice)) else { return }
        #expect(missing.topics.first?.errorCode == .unknownTopicOrPartition)
        #expect((try? harness.broker.store.topic("new")) == nil)
        guard case .metadata(let admin) = try #require(await harness.send(.metadata(MetadataRequest(topics: nil)), version: 8, as: Self.admin))
        else { return }
        #expect(Set(admin.topics.map(\.name)) == ["visible", "hidden"])
    }

    /// Metadata v8's authorized-operations fields are the principal's, and only when asked.
    @Test func metadataReportsThePrincipalsAuthorizedOperations() async throws {
        let harness = try Harness()
        defer { harness.close() }
        try await harness.createTopic("t")
        try await harness.createAcls([Self.allow("t", Self.alice, .read), Self.allow("t", Self.alice, .alterConfigs)])
        let asked = KafkaRequest.metadata(MetadataRequest(topics: ["t"], includeClusterAuthorizedOperations: true,
                                                          includeTopicAuthorizedOperations: true))
        guard case .metadata(let answered) = try #require(await harness.send(asked, version: 8, as: Self.alice)) else { return }
        // Read implies Describe; AlterConfigs implies DescribeConfigs.
        let read = Int32(1 << 3), describe = Int32(1 << 8), describeConfigs = Int32(1 << 10), alterConfigs = Int32(1 << 11)
        #expect(answered.topics.first?.topicAuthorizedOperations == read | describe | describeConfigs | alterConfigs)
        #expect(answered.clusterAuthorizedOperations == 0)
        guard case .metadata(let superUser) = try #require(await harness.send(asked, version: 8, as: Self.admin)) else { return }
        #expect(superUser.topics.first?.topicAuthorizedOperations == AclOperation.bits(AclOperation.onTopic))
        #expect(superUser.clusterAuthorizedOperations == AclOperation.bits(AclOperation.onCluster))
        let notAsked = KafkaRequest.metadata(MetadataRequest(topics: ["t"]))
        guard case .metadata(let plain) = try #require(await harness.send(notAsked, version: 8, as: Self.alice)) else { return }
        #expect(plain.topics.first?.topicAuthorizedOperations == MetadataResponse.authorizedOperationsUnknown)
        #expect(plain.clusterAuthorizedOperations == MetadataResponse.authorizedOperationsUnknown)
    }

    @Test func createAndDeleteTopicsNeedCreateAndDelete() async throws {
        let harness = try Harness()
        defer { harness.close() }
        try await harness.createAcls([Self.allow("team-", Self.alice, .create, pattern: .prefixed), Self.allow("team-", Self.alice, .delete, pattern: .prefixed)])
        let create = KafkaRequest.createTopics(CreateTopicsRequest(topics: [.init(name: "other"), .init(name: "team-a")], timeoutMs: 1000))
        guard case .createTopics(let created) = try #require(await harness.send(create, version: 2, as: Self.alice)) else { return }
        #expect(created.topics.map(\.name) == ["other", "team-a"])
        #expect(created.topics.map(\.errorCode) == [.topicAuthorizationFailed, .noError])
        #expect((try? harness.broker.store.topic("other")) == nil)
        try await harness.createTopic("other")
        let delete = KafkaRequest.deleteTopics(DeleteTopicsRequest(topicNames: ["other", "team-a"], timeoutMs: 1000))
        guard case .deleteTopics(let deleted) = try #require(await harness.send(delete, version: 1, as: Self.alice)) else { return }
        #expect(deleted.responses.map(\.errorCode) == [.topicAuthorizationFailed, .noError])
        #expect((try? harness.broker.store.topic("other")) != nil)
        #expect((try? harness.broker.store.topic("team-a")) == nil)
        // Create on the cluster allows every topic.
        try await harness.createAcls([Self.allow(AclBinding.clusterName, Self.mallory, .create, type: .cluster)])
        let anyName = KafkaRequest.createTopics(CreateTopicsRequest(topics: [.init(name: "m1")], timeoutMs: 1000))
        guard case .createTopics(let mallorys) = try #require(await harness.send(anyName, version: 2, as: Self.mallory)) else { return }
        #expect(mallorys.topics.first?.errorCode == .noError)
    }

    @Test func groupApisNeedReadOnTheGroup() async throws {
        let harness = try Harness()
        defer { harness.close() }
        let join = KafkaRequest.joinGroup(JoinGroupRequest(groupId: "g", sessionTimeoutMs: 10_000, memberId: "",
                                                           protocols: [.init(name: "range", metadata: ByteBuffer())]))
        guard case .joinGroup(let denied) = try #require(await harness.send(join, version: 5, as: Self.alice)) else { return }
        #expect(denied.errorCode == .groupAuthorizationFailed)
        for request in [
            KafkaRequest.syncGroup(SyncGroupRequest(groupId: "g", generationId: 1, memberId: "m")),
            .heartbeat(HeartbeatRequest(groupId: "g", generationId: 1, memberId: "m")),
            .leaveGroup(LeaveGroupRequest(groupId: "g", memberId: "m")),
        ] {
            let response = try #require(await harness.send(request, version: 1, as: Self.alice))
            let code: KafkaErrorCode? = switch response {
            case .syncGroup(let body): body.errorCode
            case .heartbeat(let body): body.errorCode
            case .leaveGroup(let body): body.errorCode
            default: nil
            }
            #expect(code == .groupAuthorizationFailed, "\(request.apiKey)")
        }
        guard case .findCoordinator(let coordinator) = try #require(await harness.send(.findCoordinator(FindCoordinatorRequest(key: "g")),
                                                                                       version: 1, as: Self.alice)) else { return }
        #expect(coordinator.errorCode == .groupAuthorizationFailed)
        try await harness.createAcls([Self.allow("g", Self.alice, .read, type: .group)])
        guard case .findCoordinator(let found) = try #require(await harness.send(.findCoordinator(FindCoordinatorRequest(key: "g")),
                                                                                 version: 1, as: Self.alice)) else { return }
        #expect(found.errorCode == .noError, "Read implies Describe")
        guard case .joinGroup(let joined) = try #require(await harness.send(join, version: 5, as: Self.alice)) else { return }
        #expect(joined.errorCode != .groupAuthorizationFailed)
    }

    @Test func offsetCommitNeedsReadOnGroupAndTopic() async throws {
        let harness = try Harness()
        defer { harness.close() }
        for name in ["t", "u"] { try await harness.createTopic(name) }
        let commit = KafkaRequest.offsetCommit(OffsetCommitRequest(groupId: "g", topics: [
            .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1)]),
            .init(name: "u", partitions: [.init(partitionIndex: 0, committedOffset: 1)]),
        ]))
        guard case .offsetCommit(let noGroup) = try #require(await harness.send(commit, version: 2, as: Self.alice)) else { return }
        #expect(noGroup.topics.flatMap(\.partitions).map(\.errorCode) == [.groupAuthorizationFailed, .groupAuthorizationFailed])
        #expect(harness.broker.store.cursors.committedOffsets(group: "g").isEmpty)
        try await harness.createAcls([Self.allow("g", Self.alice, .read, type: .group), Self.allow("t", Self.alice, .read)])
        guard case .offsetCommit(let partly) = try #require(await harness.send(commit, version: 2, as: Self.alice)) else { return }
        #expect(partly.topics.flatMap(\.partitions).map(\.errorCode) == [.noError, .topicAuthorizationFailed])
        #expect(Set(harness.broker.store.cursors.committedOffsets(group: "g").keys) == [TopicPartition(topic: "t", partition: 0)])
        // OffsetFetch: all topics leaves out what alice may not describe; named answers the error.
        _ = try await harness.send(commit, version: 2, as: Self.admin)
        guard case .offsetFetch(let all) = try #require(await harness.send(.offsetFetch(OffsetFetchRequest(groupId: "g", topics: nil)),
                                                                           version: 2, as: Self.alice)) else { return }
        #expect(all.topics.map(\.name) == ["t"])
        let named = KafkaRequest.offsetFetch(OffsetFetchRequest(groupId: "g", topics: [.init(name: "u", partitionIndexes: [0])]))
        guard case .offsetFetch(let namedBody) = try #require(await harness.send(named, version: 2, as: Self.alice)) else { return }
        #expect(namedBody.topics.first?.partitions.first?.errorCode == .topicAuthorizationFailed)
        guard case .offsetFetch(let noDescribe) = try #require(await harness.send(named, version: 2, as: Self.mallory)) else { return }
        #expect(noDescribe.errorCode == .groupAuthorizationFailed)
    }

    @Test func offsetsConfigsAndProducerIds() async throws {
        let harness = try Harness()
        defer { harness.close() }
        try await harness.createTopic("t")
        let list = KafkaRequest.listOffsets(ListOffsetsRequest(topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: -1)])]))
        guard case .listOffsets(let denied) = try #require(await harness.send(list, version: 2, as: Self.alice)) else { return }
        #expect(denied.topics.first?.partitions.first?.errorCode == .topicAuthorizationFailed)
        let epochs = KafkaRequest.offsetForLeaderEpoch(OffsetForLeaderEpochRequest(replicaId: 1, topics: [
            .init(topic: "t", partitions: [.init(partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0)]),
        ]))
        guard case .offsetForLeaderEpoch(let follower) = try #require(await harness.send(epochs, version: 3, as: Self.alice)) else { return }
        #expect(follower.topics.first?.partitions.first?.errorCode == .clusterAuthorizationFailed)
        let configs = KafkaRequest.describeConfigs(DescribeConfigsRequest(resources: [
            .init(resourceType: 2, resourceName: "t"), .init(resourceType: 4, resourceName: "0"),
        ]))
        guard case .describeConfigs(let configsDenied) = try #require(await harness.send(configs, version: 1, as: Self.alice)) else { return }
        #expect(configsDenied.results.map(\.errorCode) == [.topicAuthorizationFailed, .clusterAuthorizationFailed])
        let initPid = KafkaRequest.initProducerId(InitProducerIdRequest(transactionTimeoutMs: 60_000))
        guard case .initProducerId(let pidDenied) = try #require(await harness.send(initPid, version: 1, as: Self.alice)) else { return }
        #expect(pidDenied.errorCode == .clusterAuthorizationFailed)
        try await harness.createAcls([Self.allow("t", Self.alice, .write), Self.allow("t", Self.alice, .alterConfigs)])
        guard case .initProducerId(let pid) = try #require(await harness.send(initPid, version: 1, as: Self.alice)) else { return }
        #expect(pid.errorCode == .noError, "Write on some topic is enough for an idempotent producer (KIP-679)")
        guard case .listOffsets(let listed) = try #require(await harness.send(list, version: 2, as: Self.alice)) else { return }
        #expect(listed.topics.first?.partitions.first?.errorCode == .noError, "Write implies Describe")
        guard case .describeConfigs(let described) = try #require(await harness.send(configs, version: 1, as: Self.alice)) else { return }
        #expect(described.results.map(\.errorCode) == [.noError, .clusterAuthorizationFailed], "AlterConfigs implies DescribeConfigs")
    }

    @Test func hostAclsUseThePeerAddress() async throws {
        let harness = try Harness()
        defer { harness.close() }
        try await harness.createTopic("t")
        try await harness.createAcls([Self.allow("t", Self.alice, .write, host: "10.0.0.9")])
        let near = try #require(await harness.send(try Self.produce("t"), version: 7, as: Self.alice, peer: "[IPv4]10.0.0.9/10.0.0.9:5000"))
        #expect(BadInputTests.produceError(near) == .noError)
        let far = try #require(await harness.send(try Self.produce("t"), version: 7, as: Self.alice, peer: "[IPv4]10.0.0.8/10.0.0.8:5000"))
        #expect(BadInputTests.produceError(far) == .topicAuthorizationFailed)
        let mapped = try #require(await harness.send(try Self.produce("t"), version: 7, as: Self.alice, peer: "[IPv6]::ffff:10.0.0.9:5000"))
        #expect(BadInputTests.produceError(mapped) == .noError)
    }

    // MARK: - The ACL APIs

    @Test func aclApisNeedClusterRightsAndValidateInput() async throws {
        let harness = try Harness()
        defer { harness.close() }
        let creation = Self.allow("t", Self.alice, .read).creation
        guard case .createAcls(let denied) = try #require(await harness.send(.createAcls(CreateAclsRequest(creations: [creation])),
                                                                             version: 1, as: Self.alice)) else { return }
        #expect(denied.results.map(\.errorCode) == [.clusterAuthorizationFailed])
        #expect(harness.broker.authorizer?.all.isEmpty == true)
        let describe = KafkaRequest.describeAcls(DescribeAclsRequest(filter: AclFilterFields(
            resourceType: 1, resourceName: nil, patternType: 1, principal: nil, host: nil, operation: 1, permissionType: 1)))
        guard case .describeAcls(let describeDenied) = try #require(await harness.send(describe, version: 1, as: Self.alice)) else { return }
        #expect(describeDenied.errorCode == .clusterAuthorizationFailed)
        // Unknown enum values, invalid principals: INVALID_REQUEST per entry, the valid ones stored.
        var bad = creation
        bad.operation = 99
        var badPrincipal = creation
        badPrincipal.principal = "nobody"
        guard case .createAcls(let mixed) = try #require(await harness.send(.createAcls(CreateAclsRequest(creations: [bad, creation, badPrincipal])),
                                                                            version: 1, as: Self.admin)) else { return }
        #expect(mixed.results.map(\.errorCode) == [.invalidRequest, .noError, .invalidRequest])
        #expect(harness.broker.authorizer?.all == [Self.allow("t", Self.alice, .read)])
        guard case .describeAcls(let listed) = try #require(await harness.send(describe, version: 2, as: Self.admin)) else { return }
        #expect(listed.resources == [.init(resourceType: 2, resourceName: "t", patternType: 3,
                                           acls: [.init(principal: "User:alice", host: "*", operation: 3, permissionType: 3)])])
        var badFilter = AclFilterFields(resourceType: 1, resourceName: nil, patternType: 77, principal: nil, host: nil, operation: 1,
                                        permissionType: 1)
        guard case .describeAcls(let invalid) = try #require(await harness.send(.describeAcls(DescribeAclsRequest(filter: badFilter)),
                                                                               version: 1, as: Self.admin)) else { return }
        #expect(invalid.errorCode == .invalidRequest)
        badFilter.patternType = 1
        let delete = KafkaRequest.deleteAcls(DeleteAclsRequest(filters: [.init(badFilter)]))
        guard case .deleteAcls(let deleteDenied) = try #require(await harness.send(delete, version: 1, as: Self.alice)) else { return }
        #expect(deleteDenied.filterResults.map(\.errorCode) == [.clusterAuthorizationFailed])
        guard case .deleteAcls(let deleted) = try #require(await harness.send(delete, version: 1, as: Self.admin)) else { return }
        #expect(deleted.filterResults.first?.matchingAcls.count == 1)
        #expect(harness.broker.authorizer?.all.isEmpty == true)
    }

    @Test func aclApisWithoutAuthorizerAnswerSecurityDisabled() async throws {
        let harness = try Harness { $0.authorization.enabled = false }
        defer { harness.close() }
        let creation = Self.allow("t", Self.alice, .read).creation
        guard case .createAcls(let body) = try #require(await harness.send(.createAcls(CreateAclsRequest(creations: [creation])),
                                                                           version: 1, as: Self.alice)) else { return }
        #expect(body.results.map(\.errorCode) == [.securityDisabled])
        // And everything else is allowed, as before.
        #expect(BadInputTests.produceError(try #require(await harness.send(try Self.produce("free"), version: 7, as: Self.mallory))) == .noError)
    }

    // MARK: - Durability

    @Test func aclsSurviveARestartAndADamagedFileStopsTheBroker() async throws {
        let directory = NSTemporaryDirectory() + "basalt-acl-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let acl = Self.allow("t-", Self.alice, .write, pattern: .prefixed)
        do {
            let harness = try Harness(directory: directory)
            try await harness.createAcls([acl])
            try harness.broker.close()
        }
        do {
            let harness = try Harness(directory: directory)
            #expect(harness.broker.authorizer?.all == [acl])
            try harness.broker.close()
        }
        let path = directory + "/broker/acls.json"
        let damage: [(String, [UInt8])] = [
            ("not JSON", Array("garbage".utf8)), ("empty", []), ("not UTF-8", [0xff, 0xfe]),
            ("unknown operation", Array(#"{"version":1,"acls":[{"resourceType":2,"resourceName":"t","patternType":3,"principal":"User:a","host":"*","operation":99,"permission":3}]}"#.utf8)),
            ("invalid principal", Array(#"{"version":1,"acls":[{"resourceType":2,"resourceName":"t","patternType":3,"principal":"a","host":"*","operation":3,"permission":3}]}"#.utf8)),
            ("future version", Array(#"{"version":2,"acls":[]}"#.utf8)),
            ("40 MB", [UInt8](repeating: UInt8(ascii: " "), count: 40 << 20)),
        ]
        for (kind, bytes) in damage {
            BrokerStateFileTests.write(path, bytes)
            #expect(throws: BrokerStateFileError.self, "\(kind)") { _ = try Harness(directory: directory) }
            do {
                _ = try Harness(directory: directory)
            } catch let error as BrokerStateFileError {
                #expect(error.path == path, "\(kind)")
            }
        }
        // Moved away: the broker starts with no ACLs.
        _ = unlink(path)
        let harness = try Harness(directory: directory)
        #expect(harness.broker.authorizer?.all.isEmpty == true)
        try harness.broker.close()
    }
}

/// Hostile input to the ACL APIs: a closed connection or an error code, never a trap.
@Suite(.serialized) struct AclHostileInputTests {
    static func raw(_ harness: AuthorizationTests.Harness, api: ApiKey, version: Int16, body: [UInt8]) async -> RequestOutcome {
        let frame = HostileRequestTests.frame(api: api, version: version, clientId: Array("h".utf8), body: body)
        return await harness.broker.handle(frame: ByteBuffer(bytes: frame.dropFirst(4)),
                                           connection: ConnectionInfo(id: 1, peer: "?", principal: AuthorizationTests.admin))
    }

    static func isClose(_ outcome: RequestOutcome) -> Bool {
        if case .close = outcome { return true }
        return false
    }

    @Test func hugeCountsAndInvalidUTF8CloseTheConnection() async throws {
        let harness = try AuthorizationTests.Harness()
        defer { harness.close() }
        let count = HostileRequestTests.int32(Int32.max)
        #expect(Self.isClose(await Self.raw(harness, api: .createAcls, version: 1, body: count + [2])))
        #expect(Self.isClose(await Self.raw(harness, api: .deleteAcls, version: 1, body: count + [2])))
        #expect(Self.isClose(await Self.raw(harness, api: .createAcls, version: 2, body: [0xff, 0xff, 0xff, 0xff, 0x07, 2])))
        // A resource name of invalid UTF-8.
        let badName = HostileRequestTests.int32(1) + [2] + HostileRequestTests.int16(2) + [0xc3, 0x28] + [3]
            + HostileRequestTests.int16(6) + Array("User:a".utf8) + HostileRequestTests.int16(1) + Array("*".utf8) + [3, 3]
        #expect(Self.isClose(await Self.raw(harness, api: .createAcls, version: 1, body: badName)))
        #expect(harness.broker.authorizer?.all.isEmpty == true)
    }

    @Test func longNamesAreStoredAndEchoedButTheSetIsBounded() async throws {
        let harness = try AuthorizationTests.Harness()
        defer { harness.close() }
        let long = String(repeating: "n", count: Int(Int16.max))
        let acl = AuthorizationTests.allow(long, AuthorizationTests.alice, .read)
        try await harness.createAcls([acl])
        let describe = KafkaRequest.describeAcls(DescribeAclsRequest(filter: AclFilterFields(
            resourceType: 1, resourceName: long, patternType: 2, principal: nil, host: nil, operation: 1, permissionType: 1)))
        guard case .describeAcls(let body) = try #require(await harness.send(describe, version: 2, as: AuthorizationTests.admin))
        else { return }
        #expect(body.resources.map(\.resourceName) == [long])
        // 600 more such names pass the byte bound of the set: refused, and nothing is added.
        let many = (0..<600).map { index in
            AuthorizationTests.allow(String(index) + String(long.dropFirst(String(index).count)), AuthorizationTests.alice, .read)
        }
        let request = KafkaRequest.createAcls(CreateAclsRequest(creations: many.map(\.creation)))
        guard case .createAcls(let refused) = try #require(await harness.send(request, version: 1, as: AuthorizationTests.admin))
        else { return }
        #expect(refused.results.allSatisfy { $0.errorCode == .policyViolation })
        #expect(harness.broker.authorizer?.all.count == 1)
    }
}

/// The group administration APIs and DescribeProducers under the authorizer.
@Suite(.serialized) struct GroupAdminAuthorizationTests {
    typealias T = AuthorizationTests

    @Test func groupAdminChecks() async throws {
        let harness = try T.Harness()
        defer { harness.close() }
        try await harness.createTopic("t")
        for group in ["mine", "theirs"] {
            let commit = KafkaRequest.offsetCommit(OffsetCommitRequest(groupId: group, topics: [
                .init(name: "t", partitions: [.init(partitionIndex: 0, committedOffset: 1)]),
            ]))
            _ = try await harness.send(commit, version: 2, as: T.admin)
        }
        try await harness.createAcls([T.allow("mine", T.alice, .delete, type: .group), T.allow("mine", T.alice, .describe, type: .group)])
        guard case .listGroups(let listed) = try #require(await harness.send(.listGroups(ListGroupsRequest()), version: 3, as: T.alice))
        else { return }
        #expect(listed.groups.map(\.groupId) == ["mine"])
        guard case .listGroups(let all) = try #require(await harness.send(.listGroups(ListGroupsRequest()), version: 3, as: T.admin))
        else { return }
        #expect(Set(all.groups.map(\.groupId)) == ["mine", "theirs"])
        let describe = KafkaRequest.describeGroups(DescribeGroupsRequest(groups: ["theirs", "mine"]))
        guard case .describeGroups(let described) = try #require(await harness.send(describe, version: 5, as: T.alice)) else { return }
        #expect(described.groups.map(\.groupId) == ["theirs", "mine"])
        #expect(described.groups.map(\.errorCode) == [.groupAuthorizationFailed, .noError])
        let withOperations = KafkaRequest.describeGroups(DescribeGroupsRequest(groups: ["mine"], includeAuthorizedOperations: true))
        guard case .describeGroups(let operations) = try #require(await harness.send(withOperations, version: 5, as: T.alice))
        else { return }
        #expect(operations.groups.first?.authorizedOperations == (1 << 6) | (1 << 8), "Delete and Describe, not Read")
        let cluster = KafkaRequest.describeCluster(DescribeClusterRequest(includeClusterAuthorizedOperations: true))
        guard case .describeCluster(let clusterOperations) = try #require(await harness.send(cluster, version: 0, as: T.alice))
        else { return }
        #expect(clusterOperations.clusterAuthorizedOperations == 0)
        // OffsetDelete: Delete on the group, then Read on each topic.
        let offsetDelete = KafkaRequest.offsetDelete(OffsetDeleteRequest(groupId: "theirs", topics: [.init(name: "t", partitionIndexes: [0])]))
        guard case .offsetDelete(let noGroup) = try #require(await harness.send(offsetDelete, version: 0, as: T.alice)) else { return }
        #expect(noGroup.errorCode == .groupAuthorizationFailed)
        let mineDelete = KafkaRequest.offsetDelete(OffsetDeleteRequest(groupId: "mine", topics: [.init(name: "t", partitionIndexes: [0])]))
        guard case .offsetDelete(let noTopic) = try #require(await harness.send(mineDelete, version: 0, as: T.alice)) else { return }
        #expect(noTopic.topics.flatMap(\.partitions).map(\.errorCode) == [.topicAuthorizationFailed])
        #expect(!harness.broker.store.cursors.committedOffsets(group: "mine").isEmpty, "nothing deleted")
        // DeleteGroups: Delete on each group; the refused one keeps its offsets.
        let deleteGroups = KafkaRequest.deleteGroups(DeleteGroupsRequest(groupsNames: ["theirs", "mine"]))
        guard case .deleteGroups(let deleted) = try #require(await harness.send(deleteGroups, version: 2, as: T.alice)) else { return }
        #expect(deleted.results.map(\.errorCode) == [.groupAuthorizationFailed, .noError])
        #expect(!harness.broker.store.cursors.committedOffsets(group: "theirs").isEmpty)
        #expect(harness.broker.store.cursors.committedOffsets(group: "mine").isEmpty)
        // DescribeProducers: Read on each topic.
        let producers = KafkaRequest.describeProducers(DescribeProducersRequest(topics: [.init(name: "t", partitionIndexes: [0])]))
        guard case .describeProducers(let refused) = try #require(await harness.send(producers, version: 0, as: T.alice)) else { return }
        #expect(refused.topics.flatMap(\.partitions).map(\.errorCode) == [.topicAuthorizationFailed])
        guard case .describeProducers(let allowed) = try #require(await harness.send(producers, version: 0, as: T.admin)) else { return }
        #expect(allowed.topics.flatMap(\.partitions).map(\.errorCode) == [.noError])
    }
}

/// The topic administration APIs under the authorizer.
@Suite(.serialized) struct TopicAdminAuthorizationTests {
    typealias T = AuthorizationTests

    @Test func topicAdminChecks() async throws {
        let harness = try T.Harness()
        defer { harness.close() }
        for name in ["a", "b"] { try await harness.createTopic(name) }
        for name in ["a", "b"] { _ = try await harness.send(try T.produce(name), version: 7, as: T.admin) }
        try await harness.createAcls([T.allow("a", T.alice, .alter), T.allow("a", T.alice, .delete), T.allow("a", T.alice, .alterConfigs)])
        let grow = KafkaRequest.createPartitions(CreatePartitionsRequest(topics: [.init(name: "b", count: 2), .init(name: "a", count: 2)],
                                                                         timeoutMs: 5000))
        guard case .createPartitions(let grown) = try #require(await harness.send(grow, version: 1, as: T.alice)) else { return }
        #expect(grown.results.map(\.name) == ["b", "a"])
        #expect(grown.results.map(\.errorCode) == [.topicAuthorizationFailed, .noError])
        #expect(try harness.broker.store.topic("b").partitionCount == 1)
        #expect(try harness.broker.store.topic("a").partitionCount == 2)
        let deleteRecords = KafkaRequest.deleteRecords(DeleteRecordsRequest(topics: [
            .init(name: "b", partitions: [.init(partitionIndex: 0, offset: 1)]), .init(name: "a", partitions: [.init(partitionIndex: 0, offset: 1)]),
        ], timeoutMs: 5000))
        guard case .deleteRecords(let deleted) = try #require(await harness.send(deleteRecords, version: 1, as: T.alice)) else { return }
        #expect(deleted.topics.flatMap(\.partitions).map(\.errorCode) == [.topicAuthorizationFailed, .noError])
        #expect(try harness.broker.store.topic("b").partition(0).logStartOffset == 0)
        #expect(try harness.broker.store.topic("a").partition(0).logStartOffset == 1)
        let alter = KafkaRequest.alterConfigs(AlterConfigsRequest(resources: [
            .init(resourceType: 2, resourceName: "b", configs: [.init(name: "retention.ms", value: "1000")]),
            .init(resourceType: 2, resourceName: "a", configs: [.init(name: "retention.ms", value: "1000")]),
            .init(resourceType: 4, resourceName: "0", configs: []),
        ]))
        guard case .alterConfigs(let altered) = try #require(await harness.send(alter, version: 1, as: T.alice)) else { return }
        #expect(altered.responses.map(\.errorCode) == [.topicAuthorizationFailed, .noError, .clusterAuthorizationFailed])
        #expect(try harness.broker.store.topic("b").config.retentionMs != 1000)
        let incremental = KafkaRequest.incrementalAlterConfigs(IncrementalAlterConfigsRequest(resources: [
            .init(resourceType: 2, resourceName: "b", configs: [.init(name: "retention.ms", operation: 0, value: "2000")]),
        ]))
        guard case .incrementalAlterConfigs(let incremented) = try #require(await harness.send(incremental, version: 1, as: T.alice))
        else { return }
        #expect(incremented.responses.map(\.errorCode) == [.topicAuthorizationFailed])
        guard case .describeLogDirs(let dirs) = try #require(await harness.send(.describeLogDirs(DescribeLogDirsRequest(topics: nil)),
                                                                                version: 3, as: T.alice)) else { return }
        #expect(dirs.errorCode == .clusterAuthorizationFailed && dirs.results.isEmpty)
    }
}
