import NIOCore

/// A decoded request body of any supported API.
///
/// ``decode(frame:)`` is the single entry point for untrusted bytes: it takes one frame body (the
/// bytes after the 4-byte size prefix) and returns the header and the typed body, or throws a
/// ``KafkaProtocolError``. It never traps on malformed input.
public enum KafkaRequest: Sendable, Equatable {
    /// ProduceRequest.
    case produce(ProduceRequest)
    /// FetchRequest.
    case fetch(FetchRequest)
    /// ListOffsetsRequest.
    case listOffsets(ListOffsetsRequest)
    /// MetadataRequest.
    case metadata(MetadataRequest)
    /// OffsetCommitRequest.
    case offsetCommit(OffsetCommitRequest)
    /// OffsetFetchRequest.
    case offsetFetch(OffsetFetchRequest)
    /// FindCoordinatorRequest.
    case findCoordinator(FindCoordinatorRequest)
    /// JoinGroupRequest.
    case joinGroup(JoinGroupRequest)
    /// HeartbeatRequest.
    case heartbeat(HeartbeatRequest)
    /// LeaveGroupRequest.
    case leaveGroup(LeaveGroupRequest)
    /// SyncGroupRequest.
    case syncGroup(SyncGroupRequest)
    /// ApiVersionsRequest.
    case apiVersions(ApiVersionsRequest)
    /// CreateTopicsRequest.
    case createTopics(CreateTopicsRequest)
    /// DeleteTopicsRequest.
    case deleteTopics(DeleteTopicsRequest)
    /// InitProducerIdRequest.
    case initProducerId(InitProducerIdRequest)
    /// OffsetForLeaderEpochRequest.
    case offsetForLeaderEpoch(OffsetForLeaderEpochRequest)
    /// DescribeConfigsRequest.
    case describeConfigs(DescribeConfigsRequest)
    /// DescribeAclsRequest.
    case describeAcls(DescribeAclsRequest)
    /// CreateAclsRequest.
    case createAcls(CreateAclsRequest)
    /// DeleteAclsRequest.
    case deleteAcls(DeleteAclsRequest)
    /// DescribeGroupsRequest.
    case describeGroups(DescribeGroupsRequest)
    /// ListGroupsRequest.
    case listGroups(ListGroupsRequest)
    /// DeleteGroupsRequest.
    case deleteGroups(DeleteGroupsRequest)
    /// OffsetDeleteRequest.
    case offsetDelete(OffsetDeleteRequest)
    /// DescribeClusterRequest.
    case describeCluster(DescribeClusterRequest)
    /// DescribeProducersRequest.
    case describeProducers(DescribeProducersRequest)
    /// DeleteRecordsRequest.
    case deleteRecords(DeleteRecordsRequest)
    /// AlterConfigsRequest.
    case alterConfigs(AlterConfigsRequest)
    /// DescribeLogDirsRequest.
    case describeLogDirs(DescribeLogDirsRequest)
    /// CreatePartitionsRequest.
    case createPartitions(CreatePartitionsRequest)
    /// IncrementalAlterConfigsRequest.
    case incrementalAlterConfigs(IncrementalAlterConfigsRequest)
    /// SaslHandshakeRequest.
    case saslHandshake(SaslHandshakeRequest)
    /// SaslAuthenticateRequest.
    case saslAuthenticate(SaslAuthenticateRequest)
    /// DescribeUserScramCredentialsRequest.
    case describeUserScramCredentials(DescribeUserScramCredentialsRequest)
    /// AlterUserScramCredentialsRequest.
    case alterUserScramCredentials(AlterUserScramCredentialsRequest)

    /// The API this body belongs to.
    public var apiKey: ApiKey {
        switch self {
        case .produce: .produce
        case .fetch: .fetch
        case .listOffsets: .listOffsets
        case .metadata: .metadata
        case .offsetCommit: .offsetCommit
        case .offsetFetch: .offsetFetch
        case .findCoordinator: .findCoordinator
        case .joinGroup: .joinGroup
        case .heartbeat: .heartbeat
        case .leaveGroup: .leaveGroup
        case .syncGroup: .syncGroup
        case .apiVersions: .apiVersions
        case .createTopics: .createTopics
        case .deleteTopics: .deleteTopics
        case .initProducerId: .initProducerId
        case .offsetForLeaderEpoch: .offsetForLeaderEpoch
        case .describeConfigs: .describeConfigs
        case .describeAcls: .describeAcls
        case .createAcls: .createAcls
        case .deleteAcls: .deleteAcls
        case .describeGroups: .describeGroups
        case .listGroups: .listGroups
        case .deleteGroups: .deleteGroups
        case .offsetDelete: .offsetDelete
        case .describeCluster: .describeCluster
        case .describeProducers: .describeProducers
        case .deleteRecords: .deleteRecords
        case .alterConfigs: .alterConfigs
        case .describeLogDirs: .describeLogDirs
        case .createPartitions: .createPartitions
        case .incrementalAlterConfigs: .incrementalAlterConfigs
        case .saslHandshake: .saslHandshake
        case .saslAuthenticate: .saslAuthenticate
        case .describeUserScramCredentials: .describeUserScramCredentials
        case .alterUserScramCredentials: .alterUserScramCredentials
        }
    }

    /// Decodes a body of API `apiKey` and version `version`.
    ///
    /// - Throws: ``KafkaProtocolError/unsupportedVersion(apiKey:version:correlationId:)`` (with
    ///   correlation id 0) if `version` is outside ``ApiKey/supportedVersions``, or a decoding error.
    public init(from buffer: inout ByteBuffer, apiKey: ApiKey, version: Int16) throws(KafkaProtocolError) {
        guard apiKey.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: apiKey, version: version, correlationId: 0)
        }
        switch apiKey {
        case .produce: self = .produce(try ProduceRequest(from: &buffer, version: version))
        case .fetch: self = .fetch(try FetchRequest(from: &buffer, version: version))
        case .listOffsets: self = .listOffsets(try ListOffsetsRequest(from: &buffer, version: version))
        case .metadata: self = .metadata(try MetadataRequest(from: &buffer, version: version))
        case .offsetCommit: self = .offsetCommit(try OffsetCommitRequest(from: &buffer, version: version))
        case .offsetFetch: self = .offsetFetch(try OffsetFetchRequest(from: &buffer, version: version))
        case .findCoordinator: self = .findCoordinator(try FindCoordinatorRequest(from: &buffer, version: version))
        case .joinGroup: self = .joinGroup(try JoinGroupRequest(from: &buffer, version: version))
        case .heartbeat: self = .heartbeat(try HeartbeatRequest(from: &buffer, version: version))
        case .leaveGroup: self = .leaveGroup(try LeaveGroupRequest(from: &buffer, version: version))
        case .syncGroup: self = .syncGroup(try SyncGroupRequest(from: &buffer, version: version))
        case .apiVersions: self = .apiVersions(try ApiVersionsRequest(from: &buffer, version: version))
        case .createTopics: self = .createTopics(try CreateTopicsRequest(from: &buffer, version: version))
        case .deleteTopics: self = .deleteTopics(try DeleteTopicsRequest(from: &buffer, version: version))
        case .initProducerId: self = .initProducerId(try InitProducerIdRequest(from: &buffer, version: version))
        case .offsetForLeaderEpoch: self = .offsetForLeaderEpoch(try OffsetForLeaderEpochRequest(from: &buffer, version: version))
        case .describeConfigs: self = .describeConfigs(try DescribeConfigsRequest(from: &buffer, version: version))
        case .describeAcls: self = .describeAcls(try DescribeAclsRequest(from: &buffer, version: version))
        case .createAcls: self = .createAcls(try CreateAclsRequest(from: &buffer, version: version))
        case .deleteAcls: self = .deleteAcls(try DeleteAclsRequest(from: &buffer, version: version))
        case .describeGroups: self = .describeGroups(try DescribeGroupsRequest(from: &buffer, version: version))
        case .listGroups: self = .listGroups(try ListGroupsRequest(from: &buffer, version: version))
        case .deleteGroups: self = .deleteGroups(try DeleteGroupsRequest(from: &buffer, version: version))
        case .offsetDelete: self = .offsetDelete(try OffsetDeleteRequest(from: &buffer, version: version))
        case .describeCluster: self = .describeCluster(try DescribeClusterRequest(from: &buffer, version: version))
        case .describeProducers: self = .describeProducers(try DescribeProducersRequest(from: &buffer, version: version))
        case .deleteRecords: self = .deleteRecords(try DeleteRecordsRequest(from: &buffer, version: version))
        case .alterConfigs: self = .alterConfigs(try AlterConfigsRequest(from: &buffer, version: version))
        case .describeLogDirs: self = .describeLogDirs(try DescribeLogDirsRequest(from: &buffer, version: version))
        case .createPartitions: self = .createPartitions(try CreatePartitionsRequest(from: &buffer, version: version))
        case .incrementalAlterConfigs: self = .incrementalAlterConfigs(try IncrementalAlterConfigsRequest(from: &buffer, version: version))
        case .saslHandshake: self = .saslHandshake(try SaslHandshakeRequest(from: &buffer, version: version))
        case .saslAuthenticate: self = .saslAuthenticate(try SaslAuthenticateRequest(from: &buffer, version: version))
        case .describeUserScramCredentials:
            self = .describeUserScramCredentials(try DescribeUserScramCredentialsRequest(from: &buffer, version: version))
        case .alterUserScramCredentials:
            self = .alterUserScramCredentials(try AlterUserScramCredentialsRequest(from: &buffer, version: version))
        }
    }

    /// Decodes one request frame: header, then body. `frame` must hold exactly the bytes after the
    /// 4-byte size prefix; it is consumed entirely on success.
    ///
    /// - Throws: ``KafkaProtocolError/unknownApiKey(_:correlationId:)``,
    ///   ``KafkaProtocolError/unsupportedVersion(apiKey:version:correlationId:)`` (both carry the
    ///   correlation id so a broker can still answer: Kafka replies to an unsupported ApiVersions
    ///   version with a v0 `UNSUPPORTED_VERSION` body and closes the connection otherwise),
    ///   ``KafkaProtocolError/trailingBytes(_:)`` if bytes remain after the body, or any decoding
    ///   error for truncated or malformed input.
    public static func decode(frame: inout ByteBuffer) throws(KafkaProtocolError) -> (RequestHeader, KafkaRequest) {
        let header = try RequestHeader(from: &frame)
        guard header.apiKey.supportedVersions.contains(header.apiVersion) else {
            throw .unsupportedVersion(
                apiKey: header.apiKey, version: header.apiVersion, correlationId: header.correlationId)
        }
        let request = try KafkaRequest(from: &frame, apiKey: header.apiKey, version: header.apiVersion)
        if frame.readableBytes > 0 {
            throw .trailingBytes(frame.readableBytes)
        }
        return (header, request)
    }

    /// Encodes the body in `version` (which must be supported for ``apiKey``).
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        switch self {
        case .produce(let body): try body.encode(into: &buffer, version: version)
        case .fetch(let body): try body.encode(into: &buffer, version: version)
        case .listOffsets(let body): try body.encode(into: &buffer, version: version)
        case .metadata(let body): try body.encode(into: &buffer, version: version)
        case .offsetCommit(let body): try body.encode(into: &buffer, version: version)
        case .offsetFetch(let body): try body.encode(into: &buffer, version: version)
        case .findCoordinator(let body): try body.encode(into: &buffer, version: version)
        case .joinGroup(let body): try body.encode(into: &buffer, version: version)
        case .heartbeat(let body): try body.encode(into: &buffer, version: version)
        case .leaveGroup(let body): try body.encode(into: &buffer, version: version)
        case .syncGroup(let body): try body.encode(into: &buffer, version: version)
        case .apiVersions(let body): try body.encode(into: &buffer, version: version)
        case .createTopics(let body): try body.encode(into: &buffer, version: version)
        case .deleteTopics(let body): try body.encode(into: &buffer, version: version)
        case .initProducerId(let body): try body.encode(into: &buffer, version: version)
        case .offsetForLeaderEpoch(let body): try body.encode(into: &buffer, version: version)
        case .describeConfigs(let body): try body.encode(into: &buffer, version: version)
        case .describeAcls(let body): try body.encode(into: &buffer, version: version)
        case .createAcls(let body): try body.encode(into: &buffer, version: version)
        case .deleteAcls(let body): try body.encode(into: &buffer, version: version)
        case .describeGroups(let body): try body.encode(into: &buffer, version: version)
        case .listGroups(let body): try body.encode(into: &buffer, version: version)
        case .deleteGroups(let body): try body.encode(into: &buffer, version: version)
        case .offsetDelete(let body): try body.encode(into: &buffer, version: version)
        case .describeCluster(let body): try body.encode(into: &buffer, version: version)
        case .describeProducers(let body): try body.encode(into: &buffer, version: version)
        case .deleteRecords(let body): try body.encode(into: &buffer, version: version)
        case .alterConfigs(let body): try body.encode(into: &buffer, version: version)
        case .describeLogDirs(let body): try body.encode(into: &buffer, version: version)
        case .createPartitions(let body): try body.encode(into: &buffer, version: version)
        case .incrementalAlterConfigs(let body): try body.encode(into: &buffer, version: version)
        case .saslHandshake(let body): try body.encode(into: &buffer, version: version)
        case .saslAuthenticate(let body): try body.encode(into: &buffer, version: version)
        case .describeUserScramCredentials(let body): try body.encode(into: &buffer, version: version)
        case .alterUserScramCredentials(let body): try body.encode(into: &buffer, version: version)
        }
    }

    /// Writes a complete request frame: the int32 size prefix, `header`, then this body in
    /// `header.apiVersion`. `header.apiKey` must equal ``apiKey``.
    public func encodeFrame(header: RequestHeader, into buffer: inout ByteBuffer) throws(KafkaEncodingError) {
        guard header.apiKey == apiKey else { throw .mismatchedApiKey(header: header.apiKey, body: apiKey) }
        let sizeIndex = buffer.writerIndex
        buffer.writeKafkaInt32(0)
        try header.encode(into: &buffer)
        try encode(into: &buffer, version: header.apiVersion)
        try buffer.setKafkaFrameSize(at: sizeIndex)
    }
}
