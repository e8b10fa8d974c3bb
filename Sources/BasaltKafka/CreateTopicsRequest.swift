import NIOCore

/// CreateTopics request (key 19), versions 0–4 (non-flexible).
///
/// ```
/// topics         [] { name string, num_partitions int32, replication_factor int16,
///                    assignments [] { partition_index int32, broker_ids []int32 },
///                    configs [] { name string, value string? } }
/// timeout_ms     int32
/// validate_only  bool   v1+
/// ```
public struct CreateTopicsRequest: Sendable, Equatable {
    /// A manual replica assignment for one partition.
    public struct Assignment: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// Brokers holding the replicas.
        public var brokerIds: [Int32]

        /// Creates an assignment.
        public init(partitionIndex: Int32, brokerIds: [Int32]) {
            self.partitionIndex = partitionIndex
            self.brokerIds = brokerIds
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            brokerIds = try buffer.readKafkaInt32Array()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            try buffer.writeKafkaInt32Array(brokerIds)
        }
    }

    /// A topic config override.
    public struct Config: Sendable, Equatable, KafkaCodable {
        /// Config name, e.g. `"cleanup.policy"`.
        public var name: String
        /// Config value, or `nil`.
        public var value: String?

        /// Creates a config entry.
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            value = try buffer.readKafkaNullableString()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            try buffer.writeKafkaNullableString(value)
        }
    }

    /// One topic to create.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Partition count, or −1 for the broker default.
        public var numPartitions: Int32
        /// Replication factor, or −1 for the broker default.
        public var replicationFactor: Int16
        /// Manual assignments (empty = let the broker choose).
        public var assignments: [Assignment]
        /// Config overrides.
        public var configs: [Config]

        /// Creates a topic entry.
        public init(
            name: String, numPartitions: Int32 = -1, replicationFactor: Int16 = -1,
            assignments: [Assignment] = [], configs: [Config] = []
        ) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.assignments = assignments
            self.configs = configs
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString()
            numPartitions = try buffer.readKafkaInt32()
            replicationFactor = try buffer.readKafkaInt16()
            assignments = try buffer.readKafkaArray(version: version)
            configs = try buffer.readKafkaArray(version: version)
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            try buffer.writeKafkaString(name)
            buffer.writeKafkaInt32(numPartitions)
            buffer.writeKafkaInt16(replicationFactor)
            try buffer.writeKafkaArray(assignments, version: version)
            try buffer.writeKafkaArray(configs, version: version)
        }
    }

    /// Topics to create.
    public var topics: [Topic]
    /// How long to wait for creation.
    public var timeoutMs: Int32
    /// Only validate, do not create (v1+; `false` before).
    public var validateOnly: Bool

    /// Creates a request.
    public init(topics: [Topic], timeoutMs: Int32, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.createTopics.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createTopics, version: version, correlationId: 0)
        }
        topics = try buffer.readKafkaArray(version: version)
        timeoutMs = try buffer.readKafkaInt32()
        validateOnly = version >= 1 ? try buffer.readKafkaBool() : false
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.createTopics.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .createTopics, version: version)
        }
        try buffer.writeKafkaArray(topics, version: version)
        buffer.writeKafkaInt32(timeoutMs)
        if version >= 1 {
            buffer.writeKafkaBool(validateOnly)
        }
    }
}
