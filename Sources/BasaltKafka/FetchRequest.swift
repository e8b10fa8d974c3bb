import NIOCore

/// Fetch request (key 1), versions 0–11 (non-flexible).
///
/// ```
/// replica_id            int32    −1 for consumers
/// max_wait_ms           int32
/// min_bytes             int32
/// max_bytes             int32    v3+ (before: no response-wide limit)
/// isolation_level       int8     v4+ (0 read_uncommitted, 1 read_committed)
/// session_id            int32    v7+
/// session_epoch         int32    v7+
/// topics                [] { topic string, partitions [] { partition int32,
///                           current_leader_epoch int32 v9+, fetch_offset int64,
///                           log_start_offset int64 v5+, partition_max_bytes int32 } }
/// forgotten_topics_data [] { topic string, partitions []int32 }   v7+
/// rack_id               string   v11
/// ```
public struct FetchRequest: Sendable, Equatable {
    /// One partition to fetch.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partition: Int32
        /// The client's view of the leader epoch (v9+; −1 = do not check).
        public var currentLeaderEpoch: Int32
        /// First offset wanted.
        public var fetchOffset: Int64
        /// Follower's log start offset (v5+; −1 from consumers and before v5).
        public var logStartOffset: Int64
        /// Soft byte limit for this partition.
        public var partitionMaxBytes: Int32

        /// Creates a partition entry.
        public init(
            partition: Int32,
            currentLeaderEpoch: Int32 = -1,
            fetchOffset: Int64,
            logStartOffset: Int64 = -1,
            partitionMaxBytes: Int32
        ) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.fetchOffset = fetchOffset
            self.logStartOffset = logStartOffset
            self.partitionMaxBytes = partitionMaxBytes
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partition = try buffer.readKafkaInt32()
            currentLeaderEpoch = version >= 9 ? try buffer.readKafkaInt32() : -1
            fetchOffset = try buffer.readKafkaInt64()
            logStartOffset = version >= 5 ? try buffer.readKafkaInt64() : -1
            partitionMaxBytes = try buffer.readKafkaInt32()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partition)
            if version >= 9 {
                buffer.writeKafkaInt32(currentLeaderEpoch)
            }
            buffer.writeKafkaInt64(fetchOffset)
            if version >= 5 {
                buffer.writeKafkaInt64(logStartOffset)
            }
            buffer.writeKafkaInt32(partitionMaxBytes)
        }
    }

    /// The partitions to fetch of one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var topic: String
        /// Partitions to fetch.
        public var partitions: [Partition]

        /// Creates a topic entry.
        public init(topic: String, partitions: [Partition]) {
            self.topic = topic
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topic = try buffer.readKafkaString()
            partitions = try buffer.readKafkaArray(version: version)
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(topic)
            try buffer.writeKafkaArray(partitions, version: version)
        }
    }

    /// Partitions to remove from an incremental fetch session (v7+).
    public struct ForgottenTopic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var topic: String
        /// Partition numbers.
        public var partitions: [Int32]

        /// Creates an entry.
        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topic = try buffer.readKafkaString()
            partitions = try buffer.readKafkaInt32Array()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(topic)
            try buffer.writeKafkaInt32Array(partitions)
        }
    }

    /// −1 for consumers, a broker id for followers.
    public var replicaId: Int32
    /// Longest time the broker may park the request.
    public var maxWaitMs: Int32
    /// Respond as soon as this many bytes are available.
    public var minBytes: Int32
    /// Soft limit on the response's record bytes (v3+; `Int32.max` before).
    public var maxBytes: Int32
    /// 0 read_uncommitted, 1 read_committed (v4+; 0 before).
    public var isolationLevel: Int8
    /// Fetch session id (v7+; 0 = none).
    public var sessionId: Int32
    /// Fetch session epoch (v7+; −1 = sessionless, the default before v7).
    public var sessionEpoch: Int32
    /// Topics to fetch.
    public var topics: [Topic]
    /// Partitions leaving the session (v7+).
    public var forgottenTopicsData: [ForgottenTopic]
    /// Consumer's rack (v11; empty before).
    public var rackId: String

    /// Creates a request.
    public init(
        replicaId: Int32 = -1,
        maxWaitMs: Int32,
        minBytes: Int32,
        maxBytes: Int32 = Int32.max,
        isolationLevel: Int8 = 0,
        sessionId: Int32 = 0,
        sessionEpoch: Int32 = -1,
        topics: [Topic],
        forgottenTopicsData: [ForgottenTopic] = [],
        rackId: String = ""
    ) {
        self.replicaId = replicaId
        self.maxWaitMs = maxWaitMs
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.isolationLevel = isolationLevel
        self.sessionId = sessionId
        self.sessionEpoch = sessionEpoch
        self.topics = topics
        self.forgottenTopicsData = forgottenTopicsData
        self.rackId = rackId
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.fetch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .fetch, version: version, correlationId: 0)
        }
        replicaId = try buffer.readKafkaInt32()
        maxWaitMs = try buffer.readKafkaInt32()
        minBytes = try buffer.readKafkaInt32()
        maxBytes = version >= 3 ? try buffer.readKafkaInt32() : Int32.max
        isolationLevel = version >= 4 ? try buffer.readKafkaInt8() : 0
        if version >= 7 {
            sessionId = try buffer.readKafkaInt32()
            sessionEpoch = try buffer.readKafkaInt32()
        } else {
            sessionId = 0
            sessionEpoch = -1
        }
        topics = try buffer.readKafkaArray(version: version)
        forgottenTopicsData = version >= 7 ? try buffer.readKafkaArray(version: version) : []
        rackId = version >= 11 ? try buffer.readKafkaString() : ""
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.fetch.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .fetch, version: version)
        }
        buffer.writeKafkaInt32(replicaId)
        buffer.writeKafkaInt32(maxWaitMs)
        buffer.writeKafkaInt32(minBytes)
        if version >= 3 {
            buffer.writeKafkaInt32(maxBytes)
        }
        if version >= 4 {
            buffer.writeKafkaInt8(isolationLevel)
        }
        if version >= 7 {
            buffer.writeKafkaInt32(sessionId)
            buffer.writeKafkaInt32(sessionEpoch)
        }
        try buffer.writeKafkaArray(topics, version: version)
        if version >= 7 {
            try buffer.writeKafkaArray(forgottenTopicsData, version: version)
        }
        if version >= 11 {
            try buffer.writeKafkaString(rackId)
        }
    }
}
