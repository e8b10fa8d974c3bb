import NIOCore

/// A response body of any supported API.
///
/// A response does not name its API on the wire; the reader must know it from the request with
/// the same correlation id.
public enum KafkaResponse: Sendable, Equatable {
    /// ProduceResponse.
    case produce(ProduceResponse)
    /// FetchResponse.
    case fetch(FetchResponse)
    /// ListOffsetsResponse.
    case listOffsets(ListOffsetsResponse)
    /// MetadataResponse.
    case metadata(MetadataResponse)
    /// OffsetCommitResponse.
    case offsetCommit(OffsetCommitResponse)
    /// OffsetFetchResponse.
    case offsetFetch(OffsetFetchResponse)
    /// FindCoordinatorResponse.
    case findCoordinator(FindCoordinatorResponse)
    /// JoinGroupResponse.
    case joinGroup(JoinGroupResponse)
    /// HeartbeatResponse.
    case heartbeat(HeartbeatResponse)
    /// LeaveGroupResponse.
    case leaveGroup(LeaveGroupResponse)
    /// SyncGroupResponse.
    case syncGroup(SyncGroupResponse)
    /// ApiVersionsResponse.
    case apiVersions(ApiVersionsResponse)
    /// CreateTopicsResponse.
    case createTopics(CreateTopicsResponse)
    /// DeleteTopicsResponse.
    case deleteTopics(DeleteTopicsResponse)
    /// InitProducerIdResponse.
    case initProducerId(InitProducerIdResponse)
    /// OffsetForLeaderEpochResponse.
    case offsetForLeaderEpoch(OffsetForLeaderEpochResponse)
    /// DescribeConfigsResponse.
    case describeConfigs(DescribeConfigsResponse)
    /// DescribeAclsResponse.
    case describeAcls(DescribeAclsResponse)
    /// CreateAclsResponse.
    case createAcls(CreateAclsResponse)
    /// DeleteAclsResponse.
    case deleteAcls(DeleteAclsResponse)
    /// DescribeGroupsResponse.
    case describeGroups(DescribeGroupsResponse)
    /// ListGroupsResponse.
    case listGroups(ListGroupsResponse)
    /// DeleteGroupsResponse.
    case deleteGroups(DeleteGroupsResponse)
    /// OffsetDeleteResponse.
    case offsetDelete(OffsetDeleteResponse)
    /// DescribeClusterResponse.
    case describeCluster(DescribeClusterResponse)
    /// DescribeProducersResponse.
    case describeProducers(DescribeProducersResponse)
    /// DeleteRecordsResponse.
    case deleteRecords(DeleteRecordsResponse)
    /// AlterConfigsResponse.
    case alterConfigs(AlterConfigsResponse)
    /// DescribeLogDirsResponse.
    case describeLogDirs(DescribeLogDirsResponse)
    /// CreatePartitionsResponse.
    case createPartitions(CreatePartitionsResponse)
    /// IncrementalAlterConfigsResponse.
    case incrementalAlterConfigs(IncrementalAlterConfigsResponse)
    /// SaslHandshakeResponse.
    case saslHandshake(SaslHandshakeResponse)
    /// SaslAuthenticateResponse.
    case saslAuthenticate(SaslAuthenticateResponse)
    /// DescribeUserScramCredentialsResponse.
    case describeUserScramCredentials(DescribeUserScramCredentialsResponse)
    /// AlterUserScramCredentialsResponse.
    case alterUserScramCredentials(AlterUserScramCredentialsResponse)

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
        case .produce: self = .produce(try ProduceResponse(from: &buffer, version: version))
        case .fetch: self = .fetch(try FetchResponse(from: &buffer, version: version))
        case .listOffsets: self = .listOffsets(try ListOffsetsResponse(from: &buffer, version: version))
        case .metadata: self = .metadata(try MetadataResponse(from: &buffer, version: version))
        case .offsetCommit: self = .offsetCommit(try OffsetCommitResponse(from: &buffer, version: version))
        case .offsetFetch: self = .offsetFetch(try OffsetFetchResponse(from: &buffer, version: version))
        case .findCoordinator: self = .findCoordinator(try FindCoordinatorResponse(from: &buffer, version: version))
        case .joinGroup: self = .joinGroup(try JoinGroupResponse(from: &buffer, version: version))
        case .heartbeat: self = .heartbeat(try HeartbeatResponse(from: &buffer, version: version))
        case .leaveGroup: self = .leaveGroup(try LeaveGroupResponse(from: &buffer, version: version))
        case .syncGroup: self = .syncGroup(try SyncGroupResponse(from: &buffer, version: version))
        case .apiVersions: self = .apiVersions(try ApiVersionsResponse(from: &buffer, version: version))
        case .createTopics: self = .createTopics(try CreateTopicsResponse(from: &buffer, version: version))
        case .deleteTopics: self = .deleteTopics(try DeleteTopicsResponse(from: &buffer, version: version))
        case .initProducerId: self = .initProducerId(try InitProducerIdResponse(from: &buffer, version: version))
        case .offsetForLeaderEpoch: self = .offsetForLeaderEpoch(try OffsetForLeaderEpochResponse(from: &buffer, version: version))
        case .describeConfigs: self = .describeConfigs(try DescribeConfigsResponse(from: &buffer, version: version))
        case .describeAcls: self = .describeAcls(try DescribeAclsResponse(from: &buffer, version: version))
        case .createAcls: self = .createAcls(try CreateAclsResponse(from: &buffer, version: version))
        case .deleteAcls: self = .deleteAcls(try DeleteAclsResponse(from: &buffer, version: version))
        case .describeGroups: self = .describeGroups(try DescribeGroupsResponse(from: &buffer, version: version))
        case .listGroups: self = .listGroups(try ListGroupsResponse(from: &buffer, version: version))
        case .deleteGroups: self = .deleteGroups(try DeleteGroupsResponse(from: &buffer, version: version))
        case .offsetDelete: self = .offsetDelete(try OffsetDeleteResponse(from: &buffer, version: version))
        case .describeCluster: self = .describeCluster(try DescribeClusterResponse(from: &buffer, version: version))
        case .describeProducers: self = .describeProducers(try DescribeProducersResponse(from: &buffer, version: version))
        case .deleteRecords: self = .deleteRecords(try DeleteRecordsResponse(from: &buffer, version: version))
        case .alterConfigs: self = .alterConfigs(try AlterConfigsResponse(from: &buffer, version: version))
        case .describeLogDirs: self = .describeLogDirs(try DescribeLogDirsResponse(from: &buffer, version: version))
        case .createPartitions: self = .createPartitions(try CreatePartitionsResponse(from: &buffer, version: version))
        case .incrementalAlterConfigs: self = .incrementalAlterConfigs(try IncrementalAlterConfigsResponse(from: &buffer, version: version))
        case .saslHandshake: self = .saslHandshake(try SaslHandshakeResponse(from: &buffer, version: version))
        case .saslAuthenticate: self = .saslAuthenticate(try SaslAuthenticateResponse(from: &buffer, version: version))
        case .describeUserScramCredentials:
            self = .describeUserScramCredentials(try DescribeUserScramCredentialsResponse(from: &buffer, version: version))
        case .alterUserScramCredentials:
            self = .alterUserScramCredentials(try AlterUserScramCredentialsResponse(from: &buffer, version: version))
        }
    }

    /// Decodes one response frame (the bytes after the 4-byte size prefix): the header in the
    /// version ``ApiKey/responseHeaderVersion(_:)`` gives, then the body. Consumes `frame` entirely.
    ///
    /// - Throws: ``KafkaProtocolError/trailingBytes(_:)`` if bytes remain, or a decoding error.
    public static func decode(
        frame: inout ByteBuffer, apiKey: ApiKey, version: Int16
    ) throws(KafkaProtocolError) -> (ResponseHeader, KafkaResponse) {
        let header = try ResponseHeader(from: &frame, version: apiKey.responseHeaderVersion(version))
        let response = try KafkaResponse(from: &frame, apiKey: apiKey, version: version)
        if frame.readableBytes > 0 {
            throw .trailingBytes(frame.readableBytes)
        }
        return (header, response)
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

    /// Writes a complete response frame: the int32 size prefix, the response header (v0 or v1 as
    /// ``ApiKey/responseHeaderVersion(_:)`` requires), then this body in `version`.
    public func encodeFrame(correlationId: Int32, version: Int16, into buffer: inout ByteBuffer) throws(KafkaEncodingError) {
        let sizeIndex = buffer.writerIndex
        buffer.writeKafkaInt32(0)
        try ResponseHeader(correlationId: correlationId)
            .encode(into: &buffer, version: apiKey.responseHeaderVersion(version))
        try encode(into: &buffer, version: version)
        try buffer.setKafkaFrameSize(at: sizeIndex)
    }
}
