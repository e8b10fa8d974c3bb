import NIOCore

/// DescribeLogDirs request (key 35), versions 0–4 (flexible from v2).
///
/// ```
/// topics  [] { topic string, partitions []int32 }?   (null = every partition)
/// ```
public struct DescribeLogDirsRequest: Sendable, Equatable {
    /// One topic's partitions to describe.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var topic: String
        /// Partition numbers.
        public var partitions: [Int32]

        /// Creates a topic entry.
        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.describeLogDirs.isFlexible(version)
            topic = try buffer.readKafkaString(compact: flexible)
            partitions = try buffer.readKafkaInt32Array(compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.describeLogDirs.isFlexible(version)
            try buffer.writeKafkaString(topic, compact: flexible)
            try buffer.writeKafkaInt32Array(partitions, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Partitions to describe, or `nil` for all.
    public var topics: [Topic]?

    /// Creates a request.
    public init(topics: [Topic]?) {
        self.topics = topics
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeLogDirs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeLogDirs, version: version, correlationId: 0)
        }
        let flexible = ApiKey.describeLogDirs.isFlexible(version)
        topics = try buffer.readKafkaNullableArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeLogDirs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeLogDirs, version: version)
        }
        let flexible = ApiKey.describeLogDirs.isFlexible(version)
        try buffer.writeKafkaNullableArray(topics, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
