import NIOCore

/// ListOffsets request (key 2), versions 0–5 (non-flexible).
///
/// ```
/// replica_id       int32
/// isolation_level  int8   v2+
/// topics           [] { name string, partitions [] { partition_index int32,
///                      current_leader_epoch int32 v4+, timestamp int64,
///                      max_num_offsets int32 v0 } }
/// ```
/// Special timestamps: −1 latest, −2 earliest.
public struct ListOffsetsRequest: Sendable, Equatable {
    /// One partition to look up.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// The client's view of the leader epoch (v4+; −1 = do not check).
        public var currentLeaderEpoch: Int32
        /// Target timestamp in ms, or −1 (latest) / −2 (earliest).
        public var timestamp: Int64
        /// How many offsets a v0 answer may list (v0 only; 1 for later versions, which
        /// answer exactly one offset).
        public var maxNumOffsets: Int32

        /// Creates a partition entry.
        public init(partitionIndex: Int32, currentLeaderEpoch: Int32 = -1, timestamp: Int64, maxNumOffsets: Int32 = 1) {
            self.partitionIndex = partitionIndex
            self.currentLeaderEpoch = currentLeaderEpoch
            self.timestamp = timestamp
            self.maxNumOffsets = maxNumOffsets
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            currentLeaderEpoch = version >= 4 ? try buffer.readKafkaInt32() : -1
            timestamp = try buffer.readKafkaInt64()
            maxNumOffsets = version == 0 ? try buffer.readKafkaInt32() : 1
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            if version >= 4 {
                buffer.writeKafkaInt32(currentLeaderEpoch)
            }
            buffer.writeKafkaInt64(timestamp)
            if version == 0 {
                buffer.writeKafkaInt32(maxNumOffsets)
            }
        }
    }

    /// The partitions to look up of one topic.
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

    /// −1 for consumers.
    public var replicaId: Int32
    /// 0 read_uncommitted, 1 read_committed (v2+; 0 before).
    public var isolationLevel: Int8
    /// Topics to look up.
    public var topics: [Topic]

    /// Creates a request.
    public init(replicaId: Int32 = -1, isolationLevel: Int8 = 0, topics: [Topic]) {
        self.replicaId = replicaId
        self.isolationLevel = isolationLevel
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.listOffsets.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .listOffsets, version: version, correlationId: 0)
        }
        replicaId = try buffer.readKafkaInt32()
        isolationLevel = version >= 2 ? try buffer.readKafkaInt8() : 0
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.listOffsets.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .listOffsets, version: version)
        }
        buffer.writeKafkaInt32(replicaId)
        if version >= 2 {
            buffer.writeKafkaInt8(isolationLevel)
        }
        try buffer.writeKafkaArray(topics, version: version)
    }
}
