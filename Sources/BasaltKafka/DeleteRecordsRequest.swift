import NIOCore

/// DeleteRecords request (key 21), versions 0–2 (flexible from v2).
///
/// ```
/// topics      [] { name string,
///                  partitions [] { partition_index int32, offset int64 (−1 = high watermark) } }
/// timeout_ms  int32
/// ```
public struct DeleteRecordsRequest: Sendable, Equatable {
    /// One partition and the offset below which its records go.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// Records below it are deleted; −1 means the high watermark.
        public var offset: Int64

        /// Creates a partition entry.
        public init(partitionIndex: Int32, offset: Int64) {
            self.partitionIndex = partitionIndex
            self.offset = offset
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            offset = try buffer.readKafkaInt64()
            if ApiKey.deleteRecords.isFlexible(version) { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaInt64(offset)
            if ApiKey.deleteRecords.isFlexible(version) { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// One topic's partitions.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Its partitions.
        public var partitions: [Partition]

        /// Creates a topic entry.
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.deleteRecords.isFlexible(version)
            name = try buffer.readKafkaString(compact: flexible)
            partitions = try buffer.readKafkaArray(version: version, compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.deleteRecords.isFlexible(version)
            try buffer.writeKafkaString(name, compact: flexible)
            try buffer.writeKafkaArray(partitions, version: version, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Topics to delete records from.
    public var topics: [Topic]
    /// How long the client waits.
    public var timeoutMs: Int32

    /// Creates a request.
    public init(topics: [Topic], timeoutMs: Int32) {
        self.topics = topics
        self.timeoutMs = timeoutMs
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.deleteRecords.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteRecords, version: version, correlationId: 0)
        }
        let flexible = ApiKey.deleteRecords.isFlexible(version)
        topics = try buffer.readKafkaArray(version: version, compact: flexible)
        timeoutMs = try buffer.readKafkaInt32()
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.deleteRecords.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteRecords, version: version)
        }
        let flexible = ApiKey.deleteRecords.isFlexible(version)
        try buffer.writeKafkaArray(topics, version: version, compact: flexible)
        buffer.writeKafkaInt32(timeoutMs)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
