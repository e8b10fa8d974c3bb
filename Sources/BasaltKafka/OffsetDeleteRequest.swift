import NIOCore

/// OffsetDelete request (key 47), version 0 (non-flexible).
///
/// ```
/// group_id  string
/// topics    [] { name string, partitions [] { partition_index int32 } }
/// ```
public struct OffsetDeleteRequest: Sendable, Equatable {
    /// The partitions of one topic whose committed offsets to delete.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Partition numbers.
        public var partitionIndexes: [Int32]

        /// Creates a topic entry.
        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            // Each partition entry is a struct of one int32: on the wire, an []int32.
            partitionIndexes = try buffer.readKafkaInt32Array()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaInt32Array(partitionIndexes)
        }
    }

    /// Group id.
    public var groupId: String
    /// The topics.
    public var topics: [Topic]

    /// Creates a request.
    public init(groupId: String, topics: [Topic]) {
        self.groupId = groupId
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.offsetDelete.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetDelete, version: version, correlationId: 0)
        }
        groupId = try buffer.readKafkaString()
        topics = try buffer.readKafkaArray(version: version)
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.offsetDelete.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .offsetDelete, version: version)
        }
        try buffer.writeKafkaString(groupId)
        try buffer.writeKafkaArray(topics, version: version)
    }
}
