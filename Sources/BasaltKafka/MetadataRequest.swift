import NIOCore

/// Metadata request (key 3), versions 0–8 (all non-flexible).
///
/// ```
/// topics                                  [] { name string }   v0: empty = all; v1+: null = all
/// allow_auto_topic_creation               bool   v4+
/// include_cluster_authorized_operations   bool   v8
/// include_topic_authorized_operations     bool   v8
/// ```
public struct MetadataRequest: Sendable, Equatable {
    /// The topics to describe; `nil` asks for all topics (v1+). In v0 an empty list means all
    /// topics and `nil` is encoded as an empty list.
    public var topics: [String]?
    /// Whether the broker may auto-create the requested topics (v4+; `true` before).
    public var allowAutoTopicCreation: Bool
    /// v8+.
    public var includeClusterAuthorizedOperations: Bool
    /// v8+.
    public var includeTopicAuthorizedOperations: Bool

    /// Creates a request.
    public init(
        topics: [String]?,
        allowAutoTopicCreation: Bool = true,
        includeClusterAuthorizedOperations: Bool = false,
        includeTopicAuthorizedOperations: Bool = false
    ) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
        self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations
        self.includeTopicAuthorizedOperations = includeTopicAuthorizedOperations
    }

    /// Whether this request asks for every topic (null list in v1+, empty list in v0).
    public func requestsAllTopics(version: Int16) -> Bool {
        guard let topics else { return true }
        return version == 0 && topics.isEmpty
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.metadata.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .metadata, version: version, correlationId: 0)
        }
        let readTopic = { (buffer: inout ByteBuffer) throws(KafkaProtocolError) -> String in
            try buffer.readKafkaString()
        }
        if version >= 1 {
            topics = try buffer.readKafkaNullableArray(readTopic)
        } else {
            topics = try buffer.readKafkaArray(readTopic)
        }
        allowAutoTopicCreation = version >= 4 ? try buffer.readKafkaBool() : true
        if version >= 8 {
            includeClusterAuthorizedOperations = try buffer.readKafkaBool()
            includeTopicAuthorizedOperations = try buffer.readKafkaBool()
        } else {
            includeClusterAuthorizedOperations = false
            includeTopicAuthorizedOperations = false
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.metadata.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .metadata, version: version)
        }
        let writeTopic = { (buffer: inout ByteBuffer, name: String) throws(KafkaEncodingError) in try buffer.writeKafkaString(name) }
        if version >= 1 {
            try buffer.writeKafkaNullableArray(topics, writeTopic)
        } else {
            try buffer.writeKafkaArray(topics ?? [], writeTopic)
        }
        if version >= 4 {
            buffer.writeKafkaBool(allowAutoTopicCreation)
        }
        if version >= 8 {
            buffer.writeKafkaBool(includeClusterAuthorizedOperations)
            buffer.writeKafkaBool(includeTopicAuthorizedOperations)
        }
    }
}
