import NIOCore

/// OffsetCommit request (key 8), versions 0–7 (non-flexible).
///
/// ```
/// group_id           string
/// generation_id      int32     v1+ (−1 for a "simple" commit, and the value for v0)
/// member_id          string    v1+ ("" for a "simple" commit, and the value for v0)
/// group_instance_id  string?   v7
/// retention_time_ms  int64     v2–4 (−1 = broker default, and the value otherwise)
/// topics             [] { name string, partitions [] { partition_index int32,
///                        committed_offset int64, committed_leader_epoch int32 v6+,
///                        commit_timestamp int64 v1 only, committed_metadata string? } }
/// ```
public struct OffsetCommitRequest: Sendable, Equatable {
    /// One offset to commit.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// The offset to commit.
        public var committedOffset: Int64
        /// Leader epoch of the committed offset (v6+; −1 before).
        public var committedLeaderEpoch: Int32
        /// The client's time of the commit in ms (v1 only; −1, "now", otherwise).
        public var commitTimestamp: Int64
        /// Client metadata stored with the offset.
        public var committedMetadata: String?

        /// Creates a partition entry.
        public init(
            partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1,
            commitTimestamp: Int64 = -1, committedMetadata: String? = nil
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.commitTimestamp = commitTimestamp
            self.committedMetadata = committedMetadata
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            committedOffset = try buffer.readKafkaInt64()
            committedLeaderEpoch = version >= 6 ? try buffer.readKafkaInt32() : -1
            commitTimestamp = version == 1 ? try buffer.readKafkaInt64() : -1
            committedMetadata = try buffer.readKafkaNullableString()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaInt64(committedOffset)
            if version >= 6 {
                buffer.writeKafkaInt32(committedLeaderEpoch)
            }
            if version == 1 {
                buffer.writeKafkaInt64(commitTimestamp)
            }
            try buffer.writeKafkaNullableString(committedMetadata)
        }
    }

    /// Offsets to commit for one topic.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Partitions.
        public var partitions: [Partition]

        /// Creates a topic entry.
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            partitions = try buffer.readKafkaArray(version: version)
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaArray(partitions, version: version)
        }
    }

    /// Group id.
    public var groupId: String
    /// Generation of the committing member, or −1 (v1+; −1 for v0).
    public var generationId: Int32
    /// Member id, or "" (v1+; "" for v0).
    public var memberId: String
    /// Static member id (v7; `nil` before).
    public var groupInstanceId: String?
    /// Retention in ms (v2–4; −1 = broker default, and the value for other versions).
    public var retentionTimeMs: Int64
    /// Offsets per topic.
    public var topics: [Topic]

    /// Creates a request.
    public init(
        groupId: String,
        generationId: Int32 = -1,
        memberId: String = "",
        groupInstanceId: String? = nil,
        retentionTimeMs: Int64 = -1,
        topics: [Topic]
    ) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.retentionTimeMs = retentionTimeMs
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.offsetCommit.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetCommit, version: version, correlationId: 0)
        }
        groupId = try buffer.readKafkaString()
        generationId = version >= 1 ? try buffer.readKafkaInt32() : -1
        memberId = version >= 1 ? try buffer.readKafkaString() : ""
        groupInstanceId = version >= 7 ? try buffer.readKafkaNullableString() : nil
        retentionTimeMs = version >= 2 && version <= 4 ? try buffer.readKafkaInt64() : -1
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.offsetCommit.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetCommit, version: version)
        }
        try buffer.writeKafkaString(groupId)
        if version >= 1 {
            buffer.writeKafkaInt32(generationId)
            try buffer.writeKafkaString(memberId)
        }
        if version >= 7 {
            try buffer.writeKafkaNullableString(groupInstanceId)
        }
        if version >= 2 && version <= 4 {
            buffer.writeKafkaInt64(retentionTimeMs)
        }
        try buffer.writeKafkaArray(topics, version: version)
    }
}
