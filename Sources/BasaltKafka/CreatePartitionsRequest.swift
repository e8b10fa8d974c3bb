import NIOCore

/// CreatePartitions request (key 37), versions 0–3 (flexible from v2).
///
/// ```
/// topics         [] { name string, count int32,
///                     assignments []{ broker_ids []int32 }?  (null = the broker places them) }
/// timeout_ms     int32
/// validate_only  bool
/// ```
/// v2+ uses compact strings and arrays and a tag section after each struct and the body.
public struct CreatePartitionsRequest: Sendable, Equatable {
    /// The replicas of one new partition.
    public struct Assignment: Sendable, Equatable, KafkaCodable {
        /// Broker ids of the replicas, preferred leader first.
        public var brokerIds: [Int32]

        /// Creates an assignment.
        public init(brokerIds: [Int32]) {
            self.brokerIds = brokerIds
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.createPartitions.isFlexible(version)
            brokerIds = try buffer.readKafkaInt32Array(compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.createPartitions.isFlexible(version)
            try buffer.writeKafkaInt32Array(brokerIds, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// One topic to grow.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// The partition count wanted (the total, not the number added).
        public var count: Int32
        /// Replicas of each new partition, or `nil` to let the broker place them.
        public var assignments: [Assignment]?

        /// Creates a topic entry.
        public init(name: String, count: Int32, assignments: [Assignment]? = nil) {
            self.name = name
            self.count = count
            self.assignments = assignments
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.createPartitions.isFlexible(version)
            name = try buffer.readKafkaString(compact: flexible)
            count = try buffer.readKafkaInt32()
            assignments = try buffer.readKafkaNullableArray(version: version, compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.createPartitions.isFlexible(version)
            try buffer.writeKafkaString(name, compact: flexible)
            buffer.writeKafkaInt32(count)
            try buffer.writeKafkaNullableArray(assignments, version: version, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Topics to grow.
    public var topics: [Topic]
    /// How long the client waits.
    public var timeoutMs: Int32
    /// Whether only to check the request, changing nothing.
    public var validateOnly: Bool

    /// Creates a request.
    public init(topics: [Topic], timeoutMs: Int32, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.createPartitions.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createPartitions, version: version, correlationId: 0)
        }
        let flexible = ApiKey.createPartitions.isFlexible(version)
        topics = try buffer.readKafkaArray(version: version, compact: flexible)
        timeoutMs = try buffer.readKafkaInt32()
        validateOnly = try buffer.readKafkaBool()
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.createPartitions.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createPartitions, version: version)
        }
        let flexible = ApiKey.createPartitions.isFlexible(version)
        try buffer.writeKafkaArray(topics, version: version, compact: flexible)
        buffer.writeKafkaInt32(timeoutMs)
        buffer.writeKafkaBool(validateOnly)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
