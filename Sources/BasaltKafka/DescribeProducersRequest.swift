import NIOCore

/// DescribeProducers request (key 61), version 0 (flexible).
///
/// ```
/// topics         [] { name string, partition_indexes []int32, tagged fields }
/// tagged fields
/// ```
public struct DescribeProducersRequest: Sendable, Equatable {
    /// The partitions of one topic to describe.
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
            name = try buffer.readKafkaString(compact: true)
            partitionIndexes = try buffer.readKafkaInt32Array(compact: true)
            try buffer.skipKafkaTaggedFields()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name, compact: true)
            try buffer.writeKafkaInt32Array(partitionIndexes, compact: true)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }

    /// The topics.
    public var topics: [Topic]

    /// Creates a request.
    public init(topics: [Topic]) {
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeProducers.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeProducers, version: version, correlationId: 0)
        }
        topics = try buffer.readKafkaArray(version: version, compact: true)
        try buffer.skipKafkaTaggedFields()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeProducers.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeProducers, version: version)
        }
        try buffer.writeKafkaArray(topics, version: version, compact: true)
        buffer.writeKafkaEmptyTaggedFields()
    }
}
