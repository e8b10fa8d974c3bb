import NIOCore

/// Metadata response (key 3), versions 0–8 (all non-flexible).
///
/// ```
/// throttle_time_ms               int32   v3+
/// brokers                        [] { node_id int32, host string, port int32, rack string? v1+ }
/// cluster_id                     string? v2+
/// controller_id                  int32   v1+
/// topics                         [] { error_code int16, name string, is_internal bool v1+,
///                                     partitions [] { error_code int16, partition_index int32,
///                                       leader_id int32, leader_epoch int32 v7+,
///                                       replica_nodes []int32, isr_nodes []int32,
///                                       offline_replicas []int32 v5+ },
///                                     topic_authorized_operations int32 v8+ }
/// cluster_authorized_operations  int32   v8+
/// ```
public struct MetadataResponse: Sendable, Equatable {
    /// "Authorized operations not provided", the default for the `*_authorized_operations` fields.
    public static let authorizedOperationsUnknown: Int32 = Int32.min

    /// One broker of the cluster.
    public struct Broker: Sendable, Equatable, KafkaCodable {
        /// Node id; must match `leaderId` and FindCoordinator's `nodeId`.
        public var nodeId: Int32
        /// Advertised host clients connect to.
        public var host: String
        /// Advertised port.
        public var port: Int32
        /// Rack (v1+; `nil` before).
        public var rack: String?

        /// Creates a broker entry.
        public init(nodeId: Int32, host: String, port: Int32, rack: String? = nil) {
            self.nodeId = nodeId
            self.host = host
            self.port = port
            self.rack = rack
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            nodeId = try buffer.readKafkaInt32()
            host = try buffer.readKafkaString()
            port = try buffer.readKafkaInt32()
            rack = version >= 1 ? try buffer.readKafkaNullableString() : nil
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(nodeId)
            try buffer.writeKafkaString(host)
            buffer.writeKafkaInt32(port)
            if version >= 1 {
                try buffer.writeKafkaNullableString(rack)
            }
        }
    }

    /// One partition of a topic.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition-level error.
        public var errorCode: KafkaErrorCode
        /// Partition number.
        public var partitionIndex: Int32
        /// Leader node id.
        public var leaderId: Int32
        /// Leader epoch (v7+; −1 before).
        public var leaderEpoch: Int32
        /// All replicas.
        public var replicaNodes: [Int32]
        /// In-sync replicas.
        public var isrNodes: [Int32]
        /// Offline replicas (v5+; empty before).
        public var offlineReplicas: [Int32]

        /// Creates a partition entry.
        public init(
            errorCode: KafkaErrorCode = .noError,
            partitionIndex: Int32,
            leaderId: Int32,
            leaderEpoch: Int32 = -1,
            replicaNodes: [Int32],
            isrNodes: [Int32],
            offlineReplicas: [Int32] = []
        ) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderId = leaderId
            self.leaderEpoch = leaderEpoch
            self.replicaNodes = replicaNodes
            self.isrNodes = isrNodes
            self.offlineReplicas = offlineReplicas
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readKafkaErrorCode()
            partitionIndex = try buffer.readKafkaInt32()
            leaderId = try buffer.readKafkaInt32()
            leaderEpoch = version >= 7 ? try buffer.readKafkaInt32() : -1
            replicaNodes = try buffer.readKafkaInt32Array()
            isrNodes = try buffer.readKafkaInt32Array()
            offlineReplicas = version >= 5 ? try buffer.readKafkaInt32Array() : []
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaErrorCode(errorCode)
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaInt32(leaderId)
            if version >= 7 {
                buffer.writeKafkaInt32(leaderEpoch)
            }
            try buffer.writeKafkaInt32Array(replicaNodes)
            try buffer.writeKafkaInt32Array(isrNodes)
            if version >= 5 {
                try buffer.writeKafkaInt32Array(offlineReplicas)
            }
        }
    }

    /// One topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic-level error (e.g. UNKNOWN_TOPIC_OR_PARTITION).
        public var errorCode: KafkaErrorCode
        /// Topic name.
        public var name: String
        /// Whether the topic is internal (v1+; `false` before).
        public var isInternal: Bool
        /// The topic's partitions.
        public var partitions: [Partition]
        /// Authorized operations bit field (v8+).
        public var topicAuthorizedOperations: Int32

        /// Creates a topic entry.
        public init(
            errorCode: KafkaErrorCode = .noError,
            name: String,
            isInternal: Bool = false,
            partitions: [Partition],
            topicAuthorizedOperations: Int32 = MetadataResponse.authorizedOperationsUnknown
        ) {
            self.errorCode = errorCode
            self.name = name
            self.isInternal = isInternal
            self.partitions = partitions
            self.topicAuthorizedOperations = topicAuthorizedOperations
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readKafkaErrorCode()
            name = try buffer.readKafkaString()
            isInternal = version >= 1 ? try buffer.readKafkaBool() : false
            partitions = try buffer.readKafkaArray(version: version)
            topicAuthorizedOperations =
                version >= 8 ? try buffer.readKafkaInt32() : MetadataResponse.authorizedOperationsUnknown
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaString(name)
            if version >= 1 {
                buffer.writeKafkaBool(isInternal)
            }
            try buffer.writeKafkaArray(partitions, version: version)
            if version >= 8 {
                buffer.writeKafkaInt32(topicAuthorizedOperations)
            }
        }
    }

    /// Throttle time (v3+; 0 before).
    public var throttleTimeMs: Int32
    /// The cluster's brokers.
    public var brokers: [Broker]
    /// Cluster id (v2+; `nil` before). Clients expect it non-null.
    public var clusterId: String?
    /// Controller node id (v1+; −1 before). Must be a real node id.
    public var controllerId: Int32
    /// The described topics.
    public var topics: [Topic]
    /// Authorized operations bit field (v8+).
    public var clusterAuthorizedOperations: Int32

    /// Creates a response.
    public init(
        throttleTimeMs: Int32 = 0,
        brokers: [Broker],
        clusterId: String? = nil,
        controllerId: Int32 = -1,
        topics: [Topic],
        clusterAuthorizedOperations: Int32 = MetadataResponse.authorizedOperationsUnknown
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.brokers = brokers
        self.clusterId = clusterId
        self.controllerId = controllerId
        self.topics = topics
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.metadata.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .metadata, version: version, correlationId: 0)
        }
        throttleTimeMs = version >= 3 ? try buffer.readKafkaInt32() : 0
        brokers = try buffer.readKafkaArray(version: version)
        clusterId = version >= 2 ? try buffer.readKafkaNullableString() : nil
        controllerId = version >= 1 ? try buffer.readKafkaInt32() : -1
        topics = try buffer.readKafkaArray(version: version)
        clusterAuthorizedOperations =
            version >= 8 ? try buffer.readKafkaInt32() : MetadataResponse.authorizedOperationsUnknown
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.metadata.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .metadata, version: version)
        }
        if version >= 3 {
            buffer.writeKafkaInt32(throttleTimeMs)
        }
        try buffer.writeKafkaArray(brokers, version: version)
        if version >= 2 {
            try buffer.writeKafkaNullableString(clusterId)
        }
        if version >= 1 {
            buffer.writeKafkaInt32(controllerId)
        }
        try buffer.writeKafkaArray(topics, version: version)
        if version >= 8 {
            buffer.writeKafkaInt32(clusterAuthorizedOperations)
        }
    }
}
