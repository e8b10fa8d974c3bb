/// The Kafka APIs this module knows, by their wire `api_key`.
///
/// Each key carries the version range this module implements (``supportedVersions``) and the
/// first version Kafka encodes as a flexible version (``flexibleVersionsStart``), which decides the
/// request and response header versions (kafka-compat.md §3.1, §3.4, §3.5).
public enum ApiKey: Int16, CaseIterable, Sendable {
    /// Produce (0).
    case produce = 0
    /// Fetch (1).
    case fetch = 1
    /// ListOffsets (2).
    case listOffsets = 2
    /// Metadata (3).
    case metadata = 3
    /// OffsetCommit (8).
    case offsetCommit = 8
    /// OffsetFetch (9).
    case offsetFetch = 9
    /// FindCoordinator (10).
    case findCoordinator = 10
    /// JoinGroup (11).
    case joinGroup = 11
    /// Heartbeat (12).
    case heartbeat = 12
    /// LeaveGroup (13).
    case leaveGroup = 13
    /// SyncGroup (14).
    case syncGroup = 14
    /// ApiVersions (18).
    case apiVersions = 18
    /// CreateTopics (19).
    case createTopics = 19
    /// DeleteTopics (20).
    case deleteTopics = 20
    /// InitProducerId (22).
    case initProducerId = 22
    /// OffsetForLeaderEpoch (23).
    case offsetForLeaderEpoch = 23
    /// DescribeConfigs (32).
    case describeConfigs = 32
    /// DescribeAcls (29).
    case describeAcls = 29
    /// CreateAcls (30).
    case createAcls = 30
    /// DeleteAcls (31).
    case deleteAcls = 31
    /// DescribeGroups (15).
    case describeGroups = 15
    /// ListGroups (16).
    case listGroups = 16
    /// DeleteGroups (42).
    case deleteGroups = 42
    /// OffsetDelete (47).
    case offsetDelete = 47
    /// DescribeCluster (60).
    case describeCluster = 60
    /// DescribeProducers (61).
    case describeProducers = 61
    /// DeleteRecords (21).
    case deleteRecords = 21
    /// AlterConfigs (33).
    case alterConfigs = 33
    /// DescribeLogDirs (35).
    case describeLogDirs = 35
    /// CreatePartitions (37).
    case createPartitions = 37
    /// IncrementalAlterConfigs (44).
    case incrementalAlterConfigs = 44
    /// SaslHandshake (17).
    case saslHandshake = 17
    /// SaslAuthenticate (36).
    case saslAuthenticate = 36
    /// DescribeUserScramCredentials (50).
    case describeUserScramCredentials = 50
    /// AlterUserScramCredentials (51).
    case alterUserScramCredentials = 51

    /// The versions of this API that ``KafkaRequest`` and ``KafkaResponse`` can decode and encode.
    /// A broker advertises exactly these in its ApiVersions response.
    public var supportedVersions: ClosedRange<Int16> {
        switch self {
        case .produce: 0...8
        case .fetch: 0...11
        case .listOffsets: 0...5
        case .metadata: 0...8
        case .offsetCommit: 0...7
        case .offsetFetch: 0...5
        case .findCoordinator: 0...2
        case .joinGroup: 0...5
        case .heartbeat: 0...3
        case .leaveGroup: 0...1
        case .syncGroup: 0...3
        case .apiVersions: 0...4
        case .createTopics: 0...4
        case .deleteTopics: 0...3
        case .initProducerId: 0...4
        case .offsetForLeaderEpoch: 0...3
        case .describeConfigs: 0...2
        case .describeAcls, .createAcls, .deleteAcls: 0...3
        case .describeGroups: 0...5
        case .listGroups: 0...5
        case .deleteGroups: 0...2
        case .offsetDelete: 0...0
        case .describeCluster: 0...1
        case .describeProducers: 0...0
        case .deleteRecords: 0...2
        case .alterConfigs: 0...2
        case .describeLogDirs: 0...4
        case .createPartitions: 0...3
        case .incrementalAlterConfigs: 0...1
        case .saslHandshake: 0...1
        case .saslAuthenticate: 0...2
        case .describeUserScramCredentials: 0...0
        case .alterUserScramCredentials: 0...0
        }
    }

    /// The first version of this API that Kafka encodes with compact types and tagged fields.
    public var flexibleVersionsStart: Int16 {
        switch self {
        case .produce: 9
        case .fetch: 12
        case .listOffsets: 6
        case .metadata: 9
        case .offsetCommit: 8
        case .offsetFetch: 6
        case .findCoordinator: 3
        case .joinGroup: 6
        case .heartbeat: 4
        case .leaveGroup: 4
        case .syncGroup: 4
        case .apiVersions: 3
        case .createTopics: 5
        case .deleteTopics: 4
        case .initProducerId: 2
        case .offsetForLeaderEpoch: 4
        case .describeConfigs: 4
        case .describeAcls, .createAcls, .deleteAcls: 2
        case .describeGroups: 5
        case .listGroups: 3
        case .deleteGroups: 2
        case .offsetDelete: .max  // no flexible version
        case .describeCluster: 0
        case .describeProducers: 0
        case .deleteRecords: 2
        case .alterConfigs: 2
        case .describeLogDirs: 2
        case .createPartitions: 2
        case .incrementalAlterConfigs: 1
        case .saslHandshake: Int16.max
        case .saslAuthenticate: 2
        case .describeUserScramCredentials: 0
        case .alterUserScramCredentials: 0
        }
    }

    /// Whether `version` of this API uses the flexible encoding.
    public func isFlexible(_ version: Int16) -> Bool {
        version >= flexibleVersionsStart
    }

    /// The request header version for `version`: 2 for flexible versions, 1 otherwise.
    public func requestHeaderVersion(_ version: Int16) -> Int16 {
        isFlexible(version) ? 2 : 1
    }

    /// The response header version for `version`: 1 for flexible versions, 0 otherwise, and
    /// always 0 for ApiVersions so a client can parse the reply before negotiating anything.
    public func responseHeaderVersion(_ version: Int16) -> Int16 {
        if self == .apiVersions {
            return 0
        }
        return isFlexible(version) ? 1 : 0
    }
}
